// The plugin's options: defaults, and a validator per option, every problem collected (as
// semantic-release's own plugins do in resolve-config.js / verify.js). Pure.
import { MigrakitError } from "../src/errors/index.js";
import { VALIDATORS as CONFIG_VALIDATORS, type Validator } from "../src/config/schema.js";
import type { RawPluginConfig } from "./context.js";

export interface PluginOptions {
  /** Schema packages to release; undefined = migrakit's configuration or discovery. */
  packages?: string[];
  /** A release that ships a migration script is at least `minor` (analyzeCommits); default false. */
  minorForMigrations: boolean;
  /** List the safety lint's findings per script in the notes (runs the lint: Python and Postgres); default false. */
  lint: boolean;
  /** A release shipping a destructive or backward-incompatible migration is `major` (analyzeCommits; runs the lint); default false. */
  majorOnBreakingMigration: boolean;
  /** Keep pyproject.toml's static `[project] version` in step; default true. */
  pyproject: boolean;
  /** Extra semver channel → PEP 440 letters, on top of migrakit's `prereleaseMap`. */
  prereleaseMap: Record<string, string>;
}

/** Options semantic-release itself passes to every plugin (global options), which are not ours to judge. */
const OURS = [
  "packages",
  "minorForMigrations",
  "lint",
  "majorOnBreakingMigration",
  "pyproject",
  "prereleaseMap",
] as const;

const VALIDATORS: Record<(typeof OURS)[number], Validator> = {
  packages: (v) =>
    typeof v === "string" && v
      ? { ok: true, value: [v] }
      : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x)
        ? { ok: true, value: v }
        : { ok: false, expected: "a package folder or a list of them" },
  minorForMigrations: (v) =>
    typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" },
  lint: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  majorOnBreakingMigration: (v) =>
    typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" },
  pyproject: (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" }),
  // The same option as the configuration key of that name, so the same rule.
  prereleaseMap: CONFIG_VALIDATORS.prereleaseMap,
};

export function resolveOptions(raw: RawPluginConfig): { options: PluginOptions; errors: MigrakitError[] } {
  const options: PluginOptions = {
    minorForMigrations: false,
    lint: false,
    majorOnBreakingMigration: false,
    pyproject: true,
    prereleaseMap: {},
  };
  const errors: MigrakitError[] = [];
  for (const key of OURS) {
    if (raw[key] === undefined) continue;
    const r = VALIDATORS[key](raw[key]);
    if (r.ok) (options as unknown as Record<string, unknown>)[key] = r.value;
    else
      errors.push(
        new MigrakitError("EMIGRAKIT_RELEASE_PLUGIN_OPTION", {
          option: key,
          value: JSON.stringify(raw[key]),
          expected: r.expected,
        }),
      );
  }
  return { options, errors };
}

/** Options that are known to be valid (verifyConditions already reported any problem). */
export function pluginOptions(raw: RawPluginConfig): PluginOptions {
  const { options, errors } = resolveOptions(raw);
  if (errors.length) throw errors[0];
  return options;
}
