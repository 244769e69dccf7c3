"""Exact inversion sampling of an integer distribution: ``X = F^{-1}(U)`` through a guide table.

``X`` is the smallest value ``k`` of the support with ``F(k) > U``, for ``U`` uniform on
``[0, 1)`` (numpy's ``Generator.random``: the multiples of ``2**-53``). Then
``P(X = k) = P(F(k - 1) <= U < F(k)) = F(k) - F(k - 1)``: the distribution itself, up to the
``2**-53`` grid of ``U`` and the float64 rounding of ``F`` (each about ``1e-16``).

The table holds ``F`` on ``first .. last``: ``first`` is the smallest value with
``F(first) >= TAIL`` and ``last`` the smallest with ``P(X > last) <= TAIL``,
``TAIL = 2**-54``. The values below ``first`` (mass below ``TAIL``) are drawn as ``first`` and
``F(last)`` is set to 1, so the values above ``last`` (mass at most ``TAIL``) are drawn as
``last``: the tails are moved by less than ``2**-54 ~ 5.6e-17``, below the resolution of ``U``
itself (no float64 inversion can draw them).

Finding ``k`` is a lookup, not a search: ``[0, 1)`` is cut into ``bins`` equal bins (a power of
two, so ``floor(U * bins)`` is exact) and the guide table gives, for every bin that no jump of
``F`` crosses, its one value. Only a draw in one of the (at most ``last - first``) bins
that a jump crosses is searched in ``F`` (``np.searchsorted``), well under 1% of the draws.
Draws are made in blocks of :data:`BLOCK`, the same stream as one call (so the block
size never changes a path).
"""
from __future__ import annotations

import numpy as np

#: Mass left out in each tail of the table (below the ``2**-53`` resolution of a float64 uniform).
TAIL = 2.0**-54
#: Uniforms drawn and inverted per pass (fits the L2 cache with its indices).
BLOCK = 1 << 15


class InverseCDFSampler:
    """Draws of one integer distribution by exact inversion (module docstring).

    Args:
        distribution: a frozen scipy discrete distribution (``stats.poisson(5.0)``,
            ``stats.nbinom(n, p)``): its ``cdf``, ``sf`` and ``ppf`` build the table.

    Attributes:
        first, last: the table's smallest and largest value.
        cdf: ``(last - first + 1,)`` float64, ``F(first) .. F(last)`` (``F(last)`` set to 1).
    """

    def __init__(self, distribution):
        self.first = int(distribution.ppf(TAIL))
        self.last = _upper_end(distribution, self.first)
        cdf = np.maximum.accumulate(distribution.cdf(np.arange(self.first, self.last + 1, dtype=np.float64)))
        cdf[-1] = 1.0
        self.cdf = cdf
        # Enough bins that the ones a jump of F crosses hold a small share of the draws.
        self.bins = int(min(max(4096, 1 << int(np.ceil(np.log2(64 * cdf.size)))), 1 << 20))
        starts = np.arange(self.bins, dtype=np.float64) / self.bins
        # The largest uniform of bin b is (b + 1) / bins - 2**-53 (exact: a multiple of 2**-53 below 1).
        at_start = np.searchsorted(cdf, starts, side="right")
        at_end = np.searchsorted(cdf, starts + (1.0 / self.bins - 2.0**-53), side="right")
        # A bin's value when F does not jump inside it; -1 marks a bin to search.
        self._guide = np.where(at_start == at_end, self.first + at_start, -1).astype(np.float64)

    def __repr__(self):
        return f"InverseCDFSampler(first={self.first}, last={self.last}, bins={self.bins})"

    def draw(self, rng: np.random.Generator, size) -> np.ndarray:
        """``size`` independent draws, float64 (whole numbers), from ``rng``'s 64-bit integers in C order.

        Each draw reads one uniform 64-bit integer ``r``: ``U = (r >> 11) * 2**-53`` (how numpy's
        ``Generator.random`` makes a float64 from it) and its bin ``floor(U * bins)`` is ``r``'s
        top ``log2(bins)`` bits.
        """
        out = np.empty(size, dtype=np.float64)
        flat = out.reshape(-1)
        shift = np.uint64(64 - self.bins.bit_length() + 1)
        index = np.empty(min(BLOCK, flat.size), dtype=np.uint64)
        for start in range(0, flat.size, BLOCK):
            stop = min(start + BLOCK, flat.size)
            bits = rng.integers(0, _MAX_UINT64, size=stop - start, dtype=np.uint64, endpoint=True)
            bins, values = index[: stop - start], flat[start:stop]
            np.right_shift(bits, shift, out=bins)
            np.take(self._guide, bins.view(np.intp), out=values)  # the bins fit in 20 bits
            search = np.flatnonzero(values < 0)
            if search.size:
                uniform = (bits[search] >> np.uint64(11)) * 2.0**-53
                values[search] = self.first + np.searchsorted(self.cdf, uniform, side="right")
        return out


_MAX_UINT64 = np.iinfo(np.uint64).max


def _upper_end(distribution, first: int) -> int:
    """The smallest ``k >= first`` with ``P(X > k) <= TAIL`` (scipy's ``isf`` is NaN that far out)."""
    step = max(64, int(8 * distribution.std()))
    start = first
    while True:
        values = np.arange(start, start + step, dtype=np.float64)
        below = np.flatnonzero(distribution.sf(values) <= TAIL)
        if below.size:
            return int(values[below[0]])
        start += step
