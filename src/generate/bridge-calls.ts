// The bridge's `generate` and `render_script` requests (python/migrakit_bridge/generate.py), typed.
// They go through Bridge.call, so the client needs no change for them; package params are passed whole.
import type { Bridge } from "../bridge/client.js";
import type { Diff } from "../bridge/types.js";
import type { PackageParams } from "../checks/dynamic/port.js";
import type { Backfill, BackfillAnswer } from "./backfill.js";
import type { Rename } from "./renames.js";
import { bridgeInstructions } from "./renames.js";

export interface GenerateAnswer {
  /** alembic's diffs before any rename (what the renames are paired on). */
  diffs: Diff[];
  /** The instructions that matched a drop + add pair in alembic's ops. */
  applied: { kind: "column" | "table"; schema: string | null; table?: string; from: string; to: string }[];
  /** NOT NULL columns added in three steps (add nullable, backfill, SET NOT NULL). */
  backfills?: BackfillAnswer[];
  upgrade_ops: string;
  downgrade_ops: string;
  imports: string[];
  empty: boolean;
  /** A token for the comparison the bridge kept: the rename request passes it back to skip comparing again. */
  comparison?: string;
  /** True when the bridge applied and rendered on its kept comparison instead of comparing again. */
  reused?: boolean;
}

export function generateOps(
  bridge: Bridge,
  p: PackageParams & { url: string; renames: Rename[]; backfill?: Backfill[]; comparison?: string },
): Promise<GenerateAnswer> {
  return bridge.call<GenerateAnswer>("generate", { ...p, renames: bridgeInstructions(p.renames) });
}

export interface RenderScriptParams {
  /** The repo's script.py.mako (absolute), or undefined for the built-in template. */
  template?: string;
  revision: string;
  down_revision: string | null;
  message?: string;
  upgrades: string;
  downgrades: string;
  imports: string;
}

export function renderScript(bridge: Bridge, p: RenderScriptParams): Promise<{ text: string; template: string }> {
  return bridge.call("render_script", p);
}
