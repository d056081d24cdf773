// `{"extends": "migrakit/release-config"}` — what `migrakit init` writes to .releaserc.json: migrakit's default
// semantic-release configuration as a shareable config, so the repo's file stays one line and follows
// migrakit's defaults as they improve. semantic-release imports it without telling it the repository, so it
// reads the folder from MIGRAKIT_RELEASE_CWD (set by `migrakit release --cwd`) or the process's own.
import { loadConfig } from "../src/config/load.js";
import { listPackages } from "../src/model/repo.js";
import { defaultReleaseConfig, hasGitHubToken, PLUGIN_NAME } from "../src/release/default-config.js";

const cwd = process.env.MIGRAKIT_RELEASE_CWD || process.cwd();
const config = await loadConfig({ cwd, env: process.env });
const packages = await listPackages(cwd, config);

// By name: semantic-release resolves a shareable config's plugins from the config's own package, and migrakit
// can import itself by name (package.json "exports").
export default defaultReleaseConfig({ packages, github: hasGitHubToken(process.env), plugin: PLUGIN_NAME });
