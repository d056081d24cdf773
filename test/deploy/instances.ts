// Test "instances": real databases on the per-file embedded Postgres, brought to an older revision of the
// seed-style fixture by the real bridge and filled with rows, as a lamin instance would be in production.
// They are named `inst_…` (not `migrakit_…`), so a scratch database left by `check --against` stands out.
// The bridge builds each kind of instance once per server (a `seedtpl_…` database, left for the server's
// stop to delete); every instance is a CREATE DATABASE … TEMPLATE copy of it, byte for byte the database
// the bridge's upgrade leaves, without paying a Python start and an upgrade per test.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBridge } from "../../src/bridge/index.js";
import { withClient } from "../../src/db/connect.js";
import { rowCounts, schemaFingerprint } from "../../src/db/fingerprint.js";
import { withDatabase } from "../../src/db/url.js";
import { MIGRAKIT_BIN, runCli, type CliResult } from "../helpers/cli.js";
import { ownFolders } from "../helpers/isolation.js";

export const SEED = "lnschema_seed";
/** The last script of release 0.2.0: the instance's revision before the deploy. */
export const V0_2_0 = "5e6f708192a3";
export const HEAD = "a7c3e9f1b2d4";
/** Every script after 0.2.0, in order (0.3.0 ×3 with the run_at → started_at rename, 0.4.0 ×4, 2 unreleased). */
export const PENDING = [
  "6f708192a3b4",
  "708192a3b4c5",
  "8192a3b4c5d6",
  "92a3b4c5d6e7",
  "a3b4c5d6e7f8",
  "b4c5d6e7f809",
  "c5d6e7f8091a",
  "d6e7f8091a2b",
  HEAD,
];

export interface Instance {
  name: string;
  url: string;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Schema fingerprint (version table included) and exact row counts: "byte for byte" as a test can see it. */
  snapshot(): Promise<{ schema: string; rows: Record<string, number> }>;
  drop(): Promise<void>;
}

export async function makeInstance(
  adminUrl: string,
  o: { repoDir: string; python: string; revision: string; rows?: boolean },
): Promise<Instance> {
  const rows = o.rows !== false;
  // The package's every file is in the key: a test that edits a script or the ORM gets an instance the
  // bridge built from its own copy, never one from another repo's.
  const key = [adminUrl, o.python, o.revision, rows, packageDigest(o.repoDir)].join("\0");
  let template = templates.get(key);
  if (!template) {
    template = buildTemplate(adminUrl, o, rows);
    templates.set(key, template);
    // A failed build is not cached: the next instance tries again (and reports its own error).
    template.catch(() => templates.delete(key));
  }
  const source = await template;
  const name = `inst_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
  const url = withDatabase(adminUrl, name);
  const instance: Instance = {
    name,
    url,
    query: async <T>(sql: string) => withClient(url, async (c) => (await c.query(sql)).rows as T[]),
    snapshot: async () => ({ schema: (await schemaFingerprint(url)).text, rows: await rowCounts(url) }),
    drop: () =>
      withClient(adminUrl, async (c) => {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      }).then(() => undefined),
  };
  return instance;
}

/** Template database names by server, Python, revision, rows and package content. */
const templates = new Map<string, Promise<string>>();

/** A digest of every file of the schema package (no bytecode): equal digests, equal upgrades. */
function packageDigest(repoDir: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === "__pycache__") continue;
      const path = join(dir, entry.name);
      hash.update(path.slice(repoDir.length) + "\0");
      if (entry.isDirectory()) walk(path);
      else hash.update(readFileSync(path));
    }
  };
  walk(join(repoDir, SEED));
  return hash.digest("hex");
}

/** The instance as the bridge makes it: a fresh database upgraded to the revision, filled with rows. */
async function buildTemplate(
  adminUrl: string,
  o: { repoDir: string; python: string; revision: string },
  rows: boolean,
): Promise<string> {
  const name = `seedtpl_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(adminUrl, name);
  const bridge = await startBridge({ python: o.python, cwd: o.repoDir, env: process.env });
  try {
    await bridge.request("upgrade", { repo_root: o.repoDir, package: SEED, url, revision: o.revision });
  } finally {
    await bridge.close();
  }
  if (rows) {
    await withClient(url, (c) =>
      c.query(`
      INSERT INTO core."user" (id, email, handle, name) VALUES ('u1', 'a@example.com', 'a', 'Ann'), ('u2', 'b@example.com', 'b', NULL);
      INSERT INTO core.storage (id, root, region) VALUES ('s1', 's3://bucket', 'eu');
      INSERT INTO core.transform (id, version, name, created_by) VALUES ('t1', '1', 'notebook', 'u1');
      INSERT INTO core.run (id, name, transform_id, transform_version, run_at)
        VALUES ('r1', 'first', 't1', '1', '2023-01-02 03:04:05'), ('r2', 'second', 't1', '1', NULL);`),
    );
  }
  // A copy needs the template free of sessions: the bridge's may outlive its close by a moment.
  await withClient(adminUrl, (c) =>
    c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]),
  );
  return name;
}

export interface Run extends CliResult {
  all: string;
}

export function cliEnv(python: string, adminUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    MIGRAKIT_PYTHON: python,
    MIGRAKIT_DATABASE_URL: adminUrl,
    CI: "true",
    MIGRAKIT_DEPLOYED_BY: "tester@ci",
    ...extra,
  };
}

export function cli(args: string[], dir: string, env: NodeJS.ProcessEnv): Run {
  const r = runCli(args, { cwd: dir, env, timeoutMs: 300_000 });
  return { ...r, all: r.stdout + r.stderr };
}

/** The real bin as a child process, without blocking the event loop (for concurrent runs). */
export function cliAsync(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MIGRAKIT_BIN, ...args], {
      cwd: dir,
      env: ownFolders({ ...process.env, GITHUB_ACTIONS: "", ...env }, env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr, all: stdout + stderr }));
  });
}
