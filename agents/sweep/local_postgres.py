"""A throwaway PostgreSQL server in a directory: to try the cluster path on one machine, and for the tests.

    python -m agents.sweep.local_postgres start DIR     # prints the database URL of a new server in DIR
    python -m agents.sweep.local_postgres stop DIR      # stops it (DIR and its data stay)

The server is Debian's PostgreSQL package (``apt-get install postgresql``): a new
cluster (``initdb``) in ``DIR/data``, listening only on a Unix socket in ``DIR`` (no
TCP port, so several such servers never collide), with local connections trusted, and
one empty database :data:`DATABASE`. PostgreSQL refuses to run as root: run as root,
the cluster belongs to the ``postgres`` user the package creates (``runuser``).
``fsync`` is off: a crash of the machine loses the data, which is what a throwaway
server is for. A real cluster's database is set up as ``docs/cluster.md`` says.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys

DATABASE = "sweeps"
SERVER_USER = "postgres"


def find_bindir() -> str | None:
    """The directory of the newest installed PostgreSQL server's programs (``initdb``, ``pg_ctl``), or None."""
    versions = [path.split("/")[4] for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")]  # Debian's layout
    numbered = sorted(int(version) for version in versions if version.isdigit())
    if numbered:
        return f"/usr/lib/postgresql/{numbered[-1]}/bin"
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()}")


def url(directory, database: str = DATABASE) -> str:
    """The SQLAlchemy/Optuna URL of ``database`` on the server in ``directory`` (its socket directory)."""
    user = SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    return f"postgresql://{user}@/{database}?host={os.path.abspath(os.fspath(directory))}"


def start(directory) -> str:
    """Create and start a server in the new or empty ``directory``; return its URL.

    Raises ``ValueError`` when ``directory`` holds files, ``RuntimeError`` when PostgreSQL
    is not installed or does not start.
    """
    directory = os.path.abspath(os.fspath(directory))
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise ValueError(f"directory must be new or empty, got {directory!r}")
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL's server is not installed (Debian: apt-get install -y postgresql)")
    os.makedirs(directory, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    data = os.path.join(directory, "data")
    _run([os.path.join(bindir, "initdb"), "-D", data, "--auth=trust", "--encoding=UTF8", "--no-instructions"])
    options = f"-k {directory} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200"
    _run([os.path.join(bindir, "pg_ctl"), "-D", data, "-o", options, "-l", os.path.join(directory, "server.log"), "-w", "start"])
    return create_database(directory, DATABASE)


def create_database(directory, name: str) -> str:
    """Create the empty database ``name`` on the server in ``directory``; return its URL."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL's server is not installed (Debian: apt-get install -y postgresql)")
    directory = os.path.abspath(os.fspath(directory))
    _run([os.path.join(bindir, "createdb"), "-h", directory, name])
    return url(directory, name)


def stop(directory) -> None:
    """Stop the server in ``directory`` (nothing when none runs there)."""
    data = os.path.join(os.path.abspath(os.fspath(directory)), "data")
    bindir = find_bindir()
    if bindir is None or not os.path.exists(os.path.join(data, "postmaster.pid")):
        return
    _run([os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"])


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m agents.sweep.local_postgres {start,stop} DIR", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(start(argv[1]))
        else:
            stop(argv[1])
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
