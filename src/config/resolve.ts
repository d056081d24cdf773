// Raw configuration object → validated Config, collecting every problem at once (parse → normalise → rules,
// as changesets does). Pure: the caller has already read the file.
import { MigrakitError } from "../errors/index.js";
import { describeUrl, rememberSecretsOf } from "../util/redact.js";
import { DEFAULTS, KEYS, VALIDATORS, type Config } from "./schema.js";

export interface Resolved {
  config: Config;
  errors: MigrakitError[];
}

/** The closest known key, for "did you mean" hints (edit distance ≤ 3). */
function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of KEYS) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** A rejected value as the message shows it: a database setting is described from its parts, never echoed. */
function shownValue(key: string, value: unknown): string {
  if (key === "database" && typeof value === "string")
    return JSON.stringify(/:\/\//.test(value) ? describeUrl(value) : value.length > 40 ? "(a long string)" : value);
  return JSON.stringify(value);
}

export function resolveConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = {}): Resolved {
  const config: Config = structuredClone(DEFAULTS);
  const errors: MigrakitError[] = [];
  if (raw !== undefined && (raw === null || typeof raw !== "object" || Array.isArray(raw))) {
    errors.push(
      new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
        source,
        key: "migrakit",
        value: JSON.stringify(raw),
        expected: "an object of settings",
      }),
    );
    return { config, errors };
  }
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    // Own properties only: `__proto__`, `toString` and the like are keys of every object's prototype, and a
    // plain lookup would hand back Object.prototype's members instead of "unknown key".
    const validate = Object.hasOwn(VALIDATORS, key) ? VALIDATORS[key as keyof Config] : undefined;
    if (!validate) {
      errors.push(
        new MigrakitError("EMIGRAKIT_CONFIG_UNKNOWN_KEY", {
          source,
          key,
          known: KEYS.join(", "),
          suggestion: suggest(key),
        }),
      );
      continue;
    }
    const result = validate(value);
    if (result.ok)
      Object.defineProperty(config, key, { value: result.value, enumerable: true, writable: true, configurable: true });
    else
      errors.push(
        new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
          source,
          key,
          value: shownValue(key, value),
          expected: result.expected,
        }),
      );
  }
  const override = env.MIGRAKIT_DATABASE_URL;
  rememberSecretsOf(override);
  if (typeof config.database === "string") rememberSecretsOf(config.database);
  if (override) {
    const result = VALIDATORS.database(override);
    if (result.ok) config.database = override;
    else
      errors.push(
        new MigrakitError("EMIGRAKIT_CONFIG_INVALID", {
          source: "MIGRAKIT_DATABASE_URL",
          key: "MIGRAKIT_DATABASE_URL",
          value: JSON.stringify(describeUrl(override)),
          expected: result.expected,
        }),
      );
  }
  return { config, errors };
}
