// Initialise the embedded server's data folder once (initdb), reused by every later run.
// Authentication is scram-sha-256 with a random password kept next to the data folder (mode 0600):
// the server listens on 127.0.0.1 only, but other users of a shared machine could still connect to a
// trust-authenticated one.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { MigrakitError } from "../errors/index.js";
import type { PostgresBinaries } from "./binaries.js";
import { logTail } from "./log-tail.js";
import type { RunAs } from "./os-user.js";
import type { EmbeddedPaths } from "./paths.js";

export const SUPERUSER = "postgres";

/** The environment Postgres programs run with: nothing of the user's (PGOPTIONS, PGDATA, …), C locale. */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C", TZ: "UTC" };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Make the data folder; as root, hand it to the user Postgres runs as (initdb wants it writable and empty). */
async function prepareFolders(paths: EmbeddedPaths, runAs: RunAs | undefined): Promise<void> {
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  if (runAs) await chown(paths.dataDir, runAs.uid, runAs.gid);
}

/** Initialise the data folder unless it already is; returns the superuser password. Call under the lock. */
export async function initCluster(opts: {
  paths: EmbeddedPaths;
  bin: PostgresBinaries;
  runAs: RunAs | undefined;
  env: NodeJS.ProcessEnv;
}): Promise<string> {
  const { paths, bin, runAs } = opts;
  const fail = (reason: string, log?: string) =>
    new MigrakitError("EMIGRAKIT_POSTGRES_START", {
      step: "be initialised",
      dataDir: paths.dataDir,
      logFile: paths.logFile,
      reason,
      log,
    });

  if (await exists(join(paths.dataDir, "PG_VERSION"))) {
    const password = await readFile(paths.passwordFile, "utf8").catch(() => undefined);
    if (password === undefined)
      throw fail(`the data folder exists but its password file ${paths.passwordFile} is missing`);
    return password.trim();
  }

  await prepareFolders(paths, runAs);
  const password = randomBytes(18).toString("hex");
  // initdb reads the password from a file the server user can read; it lives only while initdb runs.
  const pwfile = `${paths.dataDir}.pwfile.${process.pid}`;
  await writeFile(pwfile, password + "\n", { mode: 0o600 });
  if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
  try {
    const args = [
      `--pgdata=${paths.dataDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      // Scratch data only: skipping the final fsync saves about a second on the first run.
      "--no-sync",
      "--no-instructions",
    ];
    const { code, output } = await runProgram(bin.initdb, args, {
      runAs,
      env: serverEnv(opts.env),
      cwd: dirname(paths.dataDir),
    });
    await writeFile(paths.logFile, output);
    if (code !== 0) throw fail(`initdb exited with code ${code}`, logTail(output));
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeFile(paths.passwordFile, password + "\n", { mode: 0o600 });
  return password;
}

function runProgram(
  file: string,
  args: string[],
  opts: { runAs: RunAs | undefined; env: NodeJS.ProcessEnv; cwd: string },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("error", (err) => resolve({ code: -1, output: output + String(err.message) }));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}
