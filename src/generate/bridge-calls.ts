// The bridge's `generate` request (python/migrakit_bridge/generate.py) with the renames as this stage holds
// them: the wire types are the contract's (src/bridge/contract.ts), only the instructions are made here.
import type { BridgeRequests, GenerateAnswer, UrlParams } from "../bridge/contract.js";
import type { Backfill } from "./backfill.js";
import type { Rename } from "./renames.js";
import { bridgeInstructions } from "./renames.js";

export function generateOps(
  bridge: BridgeRequests,
  p: UrlParams & { renames: Rename[]; backfill?: Backfill[]; comparison?: string },
): Promise<GenerateAnswer> {
  return bridge.request("generate", { ...p, renames: bridgeInstructions(p.renames) });
}
