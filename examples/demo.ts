// The demo (README's first command): the whole migrakit loop on the bundled example schema package, in a
// temporary git repo, on the embedded Postgres. It runs the real CLI, the real husky hook and real
// semantic-release, and prints what each step did and how long it took.
//   1. a Python venv with alembic/SQLAlchemy/sqlmodel/psycopg (MIGRAKIT_PYTHON to bring your own);
//   2. a git repo from examples/schema-repo (released 0.2.0, tagged), with a bare "origin";
//   3. `migrakit init`;
//   4. the seed's ORM change (Transform.version → v), committed: the pre-commit hook writes the migration;
//   5. the script it wrote; 6. `migrakit check`; 7. the release of 1.0.0 with `migrakit release`.
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/migrakit.js");
const timings: { step: string; seconds: number }[] = [];
const ci = Boolean(process.env.CI);

function say(text: string): void {
  process.stdout.write(text + "\n");
}

async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  say(`\n▶ ${name}`);
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  timings.push({ step: name, seconds });
  say(`  (${seconds.toFixed(2)} s)`);
  return result;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; show?: boolean; allowFail?: boolean },
): { status: number; out: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (opts.show !== false && out.trim())
    say(
      out
        .trimEnd()
        .split("\n")
        .map((l) => `  │ ${l}`)
        .join("\n"),
    );
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(" ")} failed with exit ${r.status}`);
  return { status: r.status ?? 1, out };
}

function python(): string {
  if (process.env.MIGRAKIT_PYTHON) return process.env.MIGRAKIT_PYTHON;
  run("bash", [join(root, "scripts/python-envs.sh"), "current"], { cwd: root });
  return join(root, ".venvs/current/bin/python");
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...gitIdentity } });
const gitIdentity = {
  GIT_AUTHOR_NAME: "Demo",
  GIT_AUTHOR_EMAIL: "demo@example.com",
  GIT_COMMITTER_NAME: "Demo",
  GIT_COMMITTER_EMAIL: "demo@example.com",
};

async function main(): Promise<void> {
  const t0 = performance.now();
  const py = await step("Python with alembic, SQLAlchemy, sqlmodel and psycopg", () => {
    const p = python();
    run(
      p,
      [
        "-c",
        "import alembic, sqlalchemy, sqlmodel; print('alembic', alembic.__version__, '· SQLAlchemy', sqlalchemy.__version__)",
      ],
      { cwd: root },
    );
    return p;
  });
  const env: NodeJS.ProcessEnv = { MIGRAKIT_PYTHON: py, ...gitIdentity, GITHUB_TOKEN: "", GH_TOKEN: "" };
  const work = mkdtempSync(join(tmpdir(), "migrakit-demo-"));
  const repo = join(work, "repo");
  const pkg = "lnschema_demo";

  await step("A schema repo from examples/schema-repo (0.2.0 released and tagged)", () => {
    cpSync(join(root, "examples/schema-repo"), repo, { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "feat: lnschema_demo 0.2.0");
    git(repo, "tag", "v0.2.0");
    git(work, "init", "-q", "--bare", "-b", "main", "origin.git");
    git(repo, "remote", "add", "origin", `file://${join(work, "origin.git")}`); // release notes need a URL
    git(repo, "push", "-q", "origin", "main", "--tags");
    // What `npm install --save-dev migrakit` gives a real repo: the bin and the package, here linked to this checkout.
    mkdirSync(join(repo, "node_modules/.bin"), { recursive: true });
    symlinkSync(root, join(repo, "node_modules/migrakit"));
    symlinkSync(bin, join(repo, "node_modules/.bin/migrakit"));
    say(`  ${repo}`);
  });

  await step("migrakit init", () => {
    run(process.execPath, [bin, "init"], { cwd: repo, env });
    writeFileSync(join(repo, ".gitignore"), "node_modules/\n__pycache__/\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "chore: set up migrakit");
  });

  await step("The seed's ORM change, committed: the pre-commit hook writes the migration", () => {
    const core = join(repo, pkg, "_core.py");
    const text = readFileSync(core, "utf8")
      .replace('version: str = Field(default="1", primary_key=True)', 'v: str = Field(default="1", primary_key=True)')
      .replace('"core.transform.version"', '"core.transform.v"');
    writeFileSync(core, text);
    say("  _core.py: Transform.version → Transform.v (and the Run foreign key that refers to it)");
    git(repo, "add", `${pkg}/_core.py`);
    run("git", ["commit", "-m", "feat!: rename Transform.version to v"], { cwd: repo, env });
    say("  the commit holds:");
    say(
      git(repo, "show", "--stat", "--format=  %s", "HEAD")
        .trimEnd()
        .split("\n")
        .map((l) => `  │ ${l}`)
        .join("\n"),
    );
  });

  const script = await step("The script the hook wrote", () => {
    const name = readdirSync(join(repo, pkg, "migrations/versions")).find((f) => f.endsWith("-vx_x_x.py"));
    if (!name) throw new Error("the hook wrote no vx_x_x script");
    say(`  ${pkg}/migrations/versions/${name}`);
    say(
      readFileSync(join(repo, pkg, "migrations/versions", name), "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => `  │ ${l}`)
        .join("\n"),
    );
    return name;
  });

  await step("migrakit check (baseline, upgrade, models vs DDL, downgrade round trip)", () => {
    run(process.execPath, [bin, "check"], { cwd: repo, env });
  });

  await step("Release 1.0.0 with semantic-release (migrakit release)", () => {
    // semantic-release logs every plugin step; the demo shows migrakit's plan and what changed.
    const { out } = run(process.execPath, [bin, "release", "--no-ci"], {
      cwd: repo,
      env: { ...env, CI: "" },
      show: false,
    });
    say(
      out
        .split("\n")
        .filter((l) => l.trim() && !l.includes("[semantic-release]"))
        .map((l) => `  │ ${l}`)
        .join("\n"),
    );
    const released = script.replace("-vx_x_x.py", "-v1_0_0.py");
    const ok = existsSync(join(repo, pkg, "migrations/versions", released));
    say(`  tag: ${git(repo, "tag", "--points-at", "HEAD").trim()} · ${released}: ${ok ? "renamed" : "MISSING"}`);
    say(`  header: ${readFileSync(join(repo, pkg, "migrations/versions", released), "utf8").split("\n")[0]}`);
    say(`  __version__: ${readFileSync(join(repo, pkg, "__init__.py"), "utf8").match(/__version__ = "(.*)"/)?.[1]}`);
    if (!ok) throw new Error("the release did not rename the script");
  });

  await step("Stop the embedded Postgres (the demo leaves nothing running)", () => {
    run(process.execPath, [bin, "server", "stop"], { cwd: repo, env });
  });

  say("\nSummary");
  for (const t of timings) say(`  ${t.seconds.toFixed(2).padStart(7)} s  ${t.step}`);
  say(`  ${((performance.now() - t0) / 1000).toFixed(2).padStart(7)} s  in all${ci ? " (CI)" : ""}`);
  say(`\nThe demo repo stays at ${repo} for you to look at.`);
}

main().catch((e: Error) => {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exitCode = 1;
});
