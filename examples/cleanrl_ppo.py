"""A CleanRL-style single-file PPO on the native vector env, with CleanRL's Gymnasium wrapper stack.

    python examples/cleanrl_ppo.py                             # 200k steps of 16 SKUs: minutes on 2 cores
    python examples/cleanrl_ppo.py --regularization base --total-timesteps 50000
    GYM_INVENTORY_TINY=1 python examples/cleanrl_ppo.py        # a smoke run of seconds (the tests run this)

Everything a CleanRL user expects: ``gym.make_vec(..., vectorization_mode="vector_entry_point")``
(one batched simulator step for all SKUs, Gymnasium's NEXT_STEP autoreset), then
``FlattenObservation``, ``RecordEpisodeStatistics``, ``ClipAction``, ``NormalizeObservation``,
``TransformObservation`` (clip), ``NormalizeReward`` and ``TransformReward`` (clip) from
``gymnasium.wrappers.vector``, a Gaussian actor and a critic, GAE and the clipped objective.
Actions are in [-1, 1] (``normalize_action=True``); with ``--regularization`` the policy
outputs mu of that kind instead of an order. After training, the mean cost per day of
the deterministic policy on fresh episodes is printed beside the cost of ordering the
mean demand every day. Written for this project (not copied from CleanRL).
"""
from __future__ import annotations

import argparse
import os
import time

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.distributions import Normal

import gym_inventory  # noqa: F401  (registers InventoryLeadTime-v0)
from gym_inventory.wrappers import regularize

ENV_ID = "InventoryLeadTime-v0"
TINY = os.environ.get("GYM_INVENTORY_TINY") == "1"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--regularization", choices=["none", "base", "coeff", "both"], default=None,
                        help="policy outputs mu of this kind (default: the order itself)")
    parser.add_argument("--total-timesteps", type=int, default=2_000 if TINY else 200_000)
    parser.add_argument("--num-envs", type=int, default=16, help="SKUs stepped together")
    parser.add_argument("--num-steps", type=int, default=32 if TINY else 128, help="steps per rollout and SKU")
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--gae-lambda", type=float, default=0.95)
    parser.add_argument("--num-minibatches", type=int, default=4)
    parser.add_argument("--update-epochs", type=int, default=2 if TINY else 10)
    parser.add_argument("--clip-coef", type=float, default=0.2)
    parser.add_argument("--ent-coef", type=float, default=0.0)
    parser.add_argument("--vf-coef", type=float, default=0.5)
    parser.add_argument("--max-grad-norm", type=float, default=0.5)
    return parser.parse_args(argv)


def make_envs(args: argparse.Namespace) -> gym.vector.VectorEnv:
    """The native vector env under CleanRL's continuous-control wrappers."""
    if args.regularization is None:
        envs = gym.make_vec(ENV_ID, num_envs=args.num_envs, vectorization_mode="vector_entry_point",
                            normalize_action=True)
    else:
        envs = gym.make_vec(ENV_ID, num_envs=args.num_envs, vectorization_mode="vector_entry_point")
        envs = regularize(envs, args.regularization, normalize_action=True)
    wrappers = gym.wrappers.vector
    envs = wrappers.FlattenObservation(envs)
    envs = wrappers.RecordEpisodeStatistics(envs)
    envs = wrappers.ClipAction(envs)
    envs = wrappers.NormalizeObservation(envs)
    envs = wrappers.TransformObservation(envs, lambda obs: np.clip(obs, -10, 10))
    envs = wrappers.NormalizeReward(envs, gamma=args.gamma)
    return wrappers.TransformReward(envs, lambda reward: np.clip(reward, -10, 10))


def layer(n_in: int, n_out: int, std: float = np.sqrt(2)) -> nn.Linear:
    linear = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(linear.weight, std)
    nn.init.zeros_(linear.bias)
    return linear


class Agent(nn.Module):
    def __init__(self, n_obs: int, n_act: int):
        super().__init__()
        self.critic = nn.Sequential(layer(n_obs, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, 1, 1.0))
        self.actor_mean = nn.Sequential(layer(n_obs, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, n_act, 0.01))
        self.actor_logstd = nn.Parameter(torch.zeros(1, n_act))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)

    def act(self, obs: torch.Tensor, action: torch.Tensor | None = None):
        mean = self.actor_mean(obs)
        dist = Normal(mean, self.actor_logstd.expand_as(mean).exp())
        action = dist.sample() if action is None else action
        return action, dist.log_prob(action).sum(-1), dist.entropy().sum(-1), self.value(obs)


def train(args: argparse.Namespace):
    torch.manual_seed(args.seed)
    envs = make_envs(args)
    n_obs, n_act = envs.single_observation_space.shape[0], envs.single_action_space.shape[0]
    agent = Agent(n_obs, n_act)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
    shape = (args.num_steps, args.num_envs)
    obs_buf, act_buf = torch.zeros(shape + (n_obs,)), torch.zeros(shape + (n_act,))
    logp_buf, rew_buf, done_buf, val_buf = (torch.zeros(shape) for _ in range(4))
    batch_size = args.num_steps * args.num_envs
    minibatch = batch_size // args.num_minibatches
    obs = torch.tensor(envs.reset(seed=args.seed)[0], dtype=torch.float32)
    done = torch.zeros(args.num_envs)
    returns_seen, start = [], time.time()
    for iteration in range(max(args.total_timesteps // batch_size, 1)):
        for step in range(args.num_steps):
            obs_buf[step], done_buf[step] = obs, done
            with torch.no_grad():
                action, logp, _, value = agent.act(obs)
            act_buf[step], logp_buf[step], val_buf[step] = action, logp, value
            obs_np, reward, terminated, truncated, infos = envs.step(action.numpy())
            rew_buf[step] = torch.tensor(reward, dtype=torch.float32)
            obs = torch.tensor(obs_np, dtype=torch.float32)
            done = torch.tensor(np.logical_or(terminated, truncated), dtype=torch.float32)
            if "episode" in infos:
                returns_seen.extend(infos["episode"]["r"][infos["_episode"]].tolist())
        # NEXT_STEP autoreset: the step after a done is a reset step (reward 0) whose action
        # is ignored; masking with the done flag keeps it out of the returns.
        with torch.no_grad():
            next_value = agent.value(obs)
            advantages, last = torch.zeros(shape), torch.zeros(args.num_envs)
            for t in reversed(range(args.num_steps)):
                not_done = 1.0 - (done if t == args.num_steps - 1 else done_buf[t + 1])
                following = next_value if t == args.num_steps - 1 else val_buf[t + 1]
                delta = rew_buf[t] + args.gamma * following * not_done - val_buf[t]
                last = delta + args.gamma * args.gae_lambda * not_done * last
                advantages[t] = last
            returns = advantages + val_buf
        # The reset steps after a done carry no decision: leave them out of the loss.
        keep = (done_buf == 0).reshape(-1)
        b_obs, b_act = obs_buf.reshape(-1, n_obs)[keep], act_buf.reshape(-1, n_act)[keep]
        b_logp, b_adv = logp_buf.reshape(-1)[keep], advantages.reshape(-1)[keep]
        b_ret, b_val = returns.reshape(-1)[keep], val_buf.reshape(-1)[keep]
        for _ in range(args.update_epochs):
            order = torch.randperm(len(b_obs))
            for begin in range(0, len(b_obs), minibatch):
                index = order[begin:begin + minibatch]
                _, logp, entropy, value = agent.act(b_obs[index], b_act[index])
                ratio = (logp - b_logp[index]).exp()
                adv = b_adv[index]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)).mean()
                value_loss = 0.5 * ((value - b_ret[index]) ** 2).mean()
                loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()
        if returns_seen:
            print(f"iteration {iteration + 1}: steps {(iteration + 1) * batch_size}, "
                  f"mean episode return {np.mean(returns_seen[-args.num_envs:]):.1f}, {time.time() - start:.0f} s")
    return agent, envs


def cost_per_day(envs: gym.vector.VectorEnv, act, seed: int) -> float:
    """Mean cost per day over one episode of every SKU, with ``act(obs) -> actions``."""
    obs, _ = envs.reset(seed=seed)
    total, days = 0.0, 0
    while True:
        obs, _, terminated, truncated, infos = envs.step(act(obs))
        total += float(np.sum(infos["cost"]))
        if np.all(terminated | truncated):
            days = int(np.sum(infos["day"]))
            return total / days


def main(argv=None) -> None:
    args = parse_args(argv)
    agent, envs = train(args)
    normalize = envs
    while not isinstance(normalize, gym.wrappers.vector.NormalizeObservation):
        normalize = normalize.env
    normalize.update_running_mean = False  # evaluate with the statistics learned in training
    with torch.no_grad():
        ppo = cost_per_day(envs, lambda obs: agent.actor_mean(torch.tensor(obs, dtype=torch.float32)).numpy(), 10_000)
    base = envs.unwrapped
    mean_demand = base.demand_model.max_daily_mean
    plain = gym.make_vec(ENV_ID, num_envs=args.num_envs, vectorization_mode="vector_entry_point")
    constant = cost_per_day(plain, lambda obs: np.full((args.num_envs, 1), mean_demand, np.float32), 10_000)
    print(f"cost per day: PPO {ppo:.2f}, order the mean demand every day {constant:.2f}")


if __name__ == "__main__":
    main()
