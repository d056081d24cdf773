// semver (what semantic-release computes) → PEP 440 (what Python tools read), one way everywhere: the same
// text goes into __version__, the script slug and the header, so `v0_30rc1` / `v0_30_rc2` never coexist again.
// Pure.
import { MigrakitError } from "../errors/index.js";
import { isCanonicalPep440, normalizePep440, parsePep440 } from "../model/pep440.js";
import { headerText } from "../model/script-source.js";
import { slugForVersion } from "../model/script-name.js";

/** PEP 440 pre-release letters a semver channel may map to. */
export type Pep440Label = "a" | "b" | "rc" | "dev";

/** The channels every release knows; a configured `prereleaseMap` adds to (or overrides) them. */
export const DEFAULT_PRERELEASE_MAP: Readonly<Record<string, Pep440Label>> = {
  alpha: "a",
  beta: "b",
  rc: "rc",
  dev: "dev",
};

export interface ReleaseVersion {
  /** The version as given (semver), or null when a PEP 440 version was given directly. */
  semver: string | null;
  /** Canonical PEP 440: `1.2.0rc3`. */
  pep440: string;
  /** File-name slug: `v1_2_0rc3`. */
  slug: string;
  /** Docstring header: `v1.2.0rc3.`. */
  header: string;
}

// semver 2.0.0's grammar (numeric parts without leading zeros); build metadata is matched only to drop it.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function unmappable(version: string, reason: string): MigrakitError {
  return new MigrakitError("EMIGRAKIT_VERSION_UNMAPPABLE", { version, reason });
}

/**
 * `1.2.0-rc.3` → `1.2.0rc3`, `-alpha.N` → `aN`, `-beta.N` → `bN`, `-dev.N` → `.devN`; other channels only
 * through `map`. A pre-release must be exactly `<channel>.<number>` (what semantic-release produces): anything
 * else has no single PEP 440 spelling, so it is refused rather than guessed. Build metadata (`+sha`) is dropped:
 * it never names a release.
 */
export function semverToPep440(version: string, map: Readonly<Record<string, string>> = {}): string {
  const m = SEMVER.exec(version.trim());
  if (!m) throw unmappable(version, "it is not a semver version (MAJOR.MINOR.PATCH[-channel.N])");
  const [, major, minor, patch, pre] = m;
  const release = `${major}.${minor}.${patch}`;
  if (pre === undefined) return release;
  const parts = pre.split(".");
  if (parts.length !== 2 || !/^(0|[1-9]\d*)$/.test(parts[1]!)) {
    throw unmappable(version, `the pre-release "${pre}" is not of the form <channel>.<number>`);
  }
  const channel = parts[0]!;
  const labels: Record<string, string> = { ...DEFAULT_PRERELEASE_MAP, ...map };
  // Own keys only: a channel named `constructor` or `toString` must not find Object.prototype's members.
  const label = Object.hasOwn(labels, channel) ? labels[channel] : undefined;
  if (label === undefined) throw unmappable(version, `the pre-release channel "${channel}" has no PEP 440 letter`);
  const n = parts[1]!;
  const out = label === "dev" ? `${release}.dev${n}` : `${release}${label}${n}`;
  // A configured map could only hold a/b/rc/dev (the config validates it), but keep the promise explicit.
  if (!isCanonicalPep440(out)) throw unmappable(version, `"${out}" is not canonical PEP 440`);
  return out;
}

/**
 * A release version from a person or from semantic-release: semver is mapped; a PEP 440 version (`1.2.0rc3`,
 * as `release-prepare --version` may be given) is taken in its canonical spelling. Local versions (`+…`),
 * epochs and post-releases cannot name a script file and are refused.
 */
export function releaseVersion(input: string, map: Readonly<Record<string, string>> = {}): ReleaseVersion {
  const text = input.trim();
  let semver: string | null = null;
  let pep440: string;
  if (SEMVER.test(text)) {
    semver = text.replace(/^v/, "");
    pep440 = semverToPep440(text, map);
  } else {
    const parsed = parsePep440(text);
    const normal = normalizePep440(text);
    if (!parsed || normal === null) throw unmappable(input, "it is neither semver nor PEP 440");
    if (parsed.local) throw unmappable(input, "a local version (+…) cannot name a release");
    if (parsed.epoch !== 0 || parsed.post !== null)
      throw unmappable(input, "epochs and post-releases are not release versions here");
    pep440 = normal;
  }
  return { semver, pep440, slug: slugForVersion(pep440), header: headerText(pep440) };
}
