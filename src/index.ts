// The library behind the `migrakit` CLI, for tools that want the model and the checks without the command line.
export { main } from "./cli.js";
export { loadConfig, type LoadedConfig } from "./config/load.js";
export type { Config } from "./config/schema.js";
export { loadSchemaRepo, loadSchemaRepos, readSchemaRepo, type SchemaRepo, type ScriptFile } from "./model/repo.js";
export { parseInitFile, setInitValue } from "./model/init-file.js";
export {
  parseScriptName,
  formatScriptName,
  slugForVersion,
  versionForSlug,
  UNRELEASED_SLUG,
} from "./model/script-name.js";
export { parseScriptSource, rewriteHeader, headerText } from "./model/script-source.js";
export { buildGraph } from "./model/graph.js";
export { parsePep440, normalizePep440, comparePep440 } from "./model/pep440.js";
export type * from "./model/types.js";
export { staticFindings } from "./checks/static.js";
export type { Finding } from "./errors/finding.js";
export { semverToPep440 } from "./release/version.js";
export { planRelease, formatPlan, type ReleasePlan } from "./release/release-plan.js";
export { MigrakitError, catalogue, isMigrakitError } from "./errors/index.js";
export { redactSecrets } from "./util/redact.js";
