import { AnchorProvider, Program, type Provider } from "@coral-xyz/anchor";
import type { Registry } from "../../target/types/registry.js";
import type { Token } from "../../target/types/token.js";
import type { Staking } from "../../target/types/staking.js";
import type { Rewards } from "../../target/types/rewards.js";
import registryIdl from "../../target/idl/registry.json" with { type: "json" };
import tokenIdl from "../../target/idl/token.json" with { type: "json" };
import stakingIdl from "../../target/idl/staking.json" with { type: "json" };
import rewardsIdl from "../../target/idl/rewards.json" with { type: "json" };

export type { Registry, Token, Staking, Rewards };
export const IDLS = { registry: registryIdl, token: tokenIdl, staking: stakingIdl, rewards: rewardsIdl } as const;

/** The registry program's Anchor client. */
export function registryProgram(provider: Provider = AnchorProvider.env()): Program<Registry> {
  return new Program(registryIdl as Registry, provider);
}

/** The $AEGIS token program's Anchor client. */
export function tokenProgram(provider: Provider = AnchorProvider.env()): Program<Token> {
  return new Program(tokenIdl as Token, provider);
}

export function stakingProgram(provider: Provider = AnchorProvider.env()): Program<Staking> {
  return new Program(stakingIdl as Staking, provider);
}

export function rewardsProgram(provider: Provider = AnchorProvider.env()): Program<Rewards> {
  return new Program(rewardsIdl as Rewards, provider);
}
