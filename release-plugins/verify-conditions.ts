// verifyConditions: the options are valid, the configuration loads, `__version__` is there and
// `check --static` passes. Every problem is reported at once, each with its code and how to fix it.
// A release interrupted earlier is first put back (its journal says how), so this run starts clean.
import { pendingRelease, recoverRelease } from "../src/release/apply.js";
import { loadRelease, releaseFindings } from "../src/release/load.js";
import { MigrakitError } from "../src/errors/index.js";
import type { RawPluginConfig, ReleaseContext } from "./context.js";
import { fromFinding, fromMigrakitError, throwReleaseErrors, toReleaseErrors } from "./errors.js";
import { resolveOptions } from "./options.js";
import { verified } from "./state.js";

export async function verifyConditions(pluginConfig: RawPluginConfig, context: ReleaseContext): Promise<void> {
  const { cwd, env, logger } = context;
  const { options, errors: optionErrors } = resolveOptions(pluginConfig);
  const errors: Error[] = optionErrors.map(fromMigrakitError);
  try {
    const pending = await pendingRelease({ cwd, env });
    if (pending && context.options.dryRun) {
      throw new MigrakitError("EMIGRAKIT_RELEASE_INTERRUPTED", pending);
    } else if (pending) {
      const r = await recoverRelease({ cwd, env, direction: "back" });
      logger.warn(
        `An interrupted release of ${r?.version} was undone from its journal; this run releases again from a clean tree.`,
      );
    }
    const loaded = await loadRelease({ cwd, env, packages: options.packages });
    // The version is not chosen yet: scripts named ahead of __version__ are judged in verifyRelease.
    errors.push(...(await releaseFindings(loaded, env, "unknown")).map(fromFinding));
    if (errors.length === 0)
      logger.log(
        `Schema package${loaded.repos.length > 1 ? "s" : ""} ${loaded.repos.map((r) => r.package).join(", ")} pass${loaded.repos.length > 1 ? "" : "es"} the static check`,
      );
  } catch (e) {
    errors.push(...toReleaseErrors(e));
  }
  throwReleaseErrors(errors);
  verified.add(cwd);
}
