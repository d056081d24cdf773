// The harness of the "what a careful engineer would write" tests (issue 12): a real schema repo whose first
// released script creates the ORM's tables as they were, a real `generate` for the ORM as it is now, then on
// real Postgres: rows seeded at the old revision survive the upgrade, downgrade and upgrade round-trip, and
// the full check (upgrade, round trip, models match: alembic's own compare) passes on the result.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { pruneTemplates } from "../../src/db/templates.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { withClient } from "../../src/db/connect.js";
import { loadConfig } from "../../src/config/load.js";
import { generate, type GenerateOptions, type GenerateOutcome } from "../../src/generate/generate.js";
import { openSession, type Session } from "../../src/generate/session.js";
import { verify } from "../../src/generate/verify.js";
import { writeFiles } from "../../src/generate/write-files.js";
import { packageParams } from "../../src/checks/dynamic/package-params.js";
import { readSchemaRepo } from "../../src/model/repo.js";
import { makeSchemaRepo, type TempRepo } from "../helpers/schema-repo.js";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/python.js";

/** The stack the helper runs on: CAREFUL_STACK=legacy runs these tests on SQLAlchemy 1.4 + sqlmodel 0.0.8. */
export const PYTHON = join(REPO_ROOT, `.venvs/${process.env.CAREFUL_STACK ?? "current"}/bin/python`);
export const FIRST = "a00000000001";
export const NEXT = "b00000000002";

let counter = 0;

export function dbUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openTestSession(adminUrl: string, cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Session> {
  const env = { ...process.env, MIGRAKIT_DATABASE_URL: adminUrl, MIGRAKIT_PYTHON: PYTHON, CI: "true", ...extra };
  return openSession({ cwd, env, config: await loadConfig({ cwd, env }), fastClose: true });
}

/** A scratch database of the test's own, dropped by `drop`. */
export async function scratchDb(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `migrakit_careful_${process.pid}_${counter++}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: dbUrl(adminUrl, name),
    drop: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

export async function query(url: string, sql: string): Promise<unknown[]> {
  return withClient(url, async (c) => (await c.query(sql)).rows);
}

/**
 * A repo at release 0.1.0 whose one script creates the tables of `before` (its body is what the bridge's
 * compare writes against an empty database), with `after` in the working tree. `prelude`: lines the first
 * script runs before that body (`CREATE SCHEMA` of a schema the new ORM no longer names: the bridge creates
 * only the schemas of the ORM it imports).
 */
export async function repoWith(
  s: Session,
  adminUrl: string,
  before: string,
  after: string,
  o: { prelude?: string[] } = {},
): Promise<TempRepo> {
  const repo = makeSchemaRepo({
    init: { version: "0.1.0", migration: FIRST, schemaId: "demo" },
    scripts: [{ revision: FIRST, down: null, slug: "v0_1_0" }],
    files: { "lnschema_demo/_core.py": before },
    commit: false,
  });
  repo.write("lnschema_demo/__init__.py", repo.read("lnschema_demo/__init__.py") + "from ._core import *  # noqa\n");
  const empty = await scratchDb(adminUrl);
  // The old ORM is imported from a copy: the helper must see the new one at the repo's own path later.
  const copy = mkdtempSync(join(tmpdir(), "migrakit-careful-"));
  cpSync(repo.dir, copy, { recursive: true });
  try {
    const parsed = await readSchemaRepo(copy, "lnschema_demo");
    const params = { ...packageParams(parsed, { versionTable: "migration_demo", root: copy }), url: empty.url };
    // The bridge creates the schemas an upgrade needs; compare reads the ORM against an empty database.
    await s.port.request("upgrade", { ...params, revision: FIRST });
    const cmp = await s.port.request("compare", params);
    const body = (t: string) =>
      t
        .split("\n")
        .filter((l) => !l.includes("### "))
        .map((l) => l.replace(/^ {4}/, ""))
        .join("\n")
        .trim() || "pass";
    const file = `lnschema_demo/migrations/versions/2023-02-16-${FIRST}-v0_1_0.py`;
    assert.equal(cmp.empty, false, "the old ORM has tables to create");
    const text = repo
      .read(file)
      .replace("import sqlmodel as sqm  # noqa", ["import sqlmodel  # noqa", ...cmp.imports].join("\n"))
      .replace(
        /def upgrade\(\) -> None:\n {4}pass/,
        `def upgrade() -> None:\n${indent([...(o.prelude ?? []), body(cmp.upgrade_ops)].join("\n"))}`,
      )
      .replace(/def downgrade\(\) -> None:\n {4}pass/, `def downgrade() -> None:\n${indent(body(cmp.downgrade_ops))}`);
    repo.write(file, text);
  } finally {
    await empty.drop();
    rmSync(copy, { recursive: true, force: true });
  }
  repo.git("add", "-A");
  repo.git("commit", "-q", "-m", "release 0.1.0");
  repo.git("tag", "v0.1.0");
  repo.write("lnschema_demo/_core.py", after);
  return repo;
}

const indent = (t: string) =>
  t
    .split("\n")
    .map((l) => (l ? `    ${l}` : l))
    .join("\n");

export async function generateIn(s: Session, repo: TempRepo, o: GenerateOptions = {}): Promise<GenerateOutcome> {
  return generate(s, await readSchemaRepo(repo.dir, "lnschema_demo"), {
    today: "2024-01-02",
    newRevision: () => NEXT,
    ...o,
  });
}

export const scriptPath = `lnschema_demo/migrations/versions/2024-01-02-${NEXT}-vx_x_x.py`;

export interface Rows {
  /** SQL run on the database at the first revision (the old layout). */
  seed: string[];
  /** [query on the new layout, the rows it must return] after the upgrade (and again after the round trip). */
  after: [string, unknown[]][];
  /** [query on the old layout, rows] after the downgrade. */
  before?: [string, unknown[]][];
}

/** Generate, write, then: refreshing writes nothing (same bytes), the full check passes, the rows survive. */
/** `lint`: the lint findings the change must raise (a drop, a narrowing): each must appear, and only those. */
export async function generateAndProve(
  s: Session,
  adminUrl: string,
  repo: TempRepo,
  rows: Rows,
  o: GenerateOptions = {},
  lint: RegExp[] = [],
): Promise<string> {
  const out = await generateIn(s, repo, o);
  assert.equal(out.kind, "written", JSON.stringify(out));
  if (out.kind !== "written") throw new Error("unreachable");
  writeFiles(repo.dir, out.writes);
  const text = repo.read(scriptPath);
  const again = await generateIn(s, repo, o);
  assert.equal(again.kind, "written");
  assert.equal(again.kind === "written" && again.changed, false, "the same input gives the same script, byte for byte");
  assert.equal(repo.read(scriptPath), text);

  const findings = await verify(s, await readSchemaRepo(repo.dir, "lnschema_demo"));
  const errors = findings
    .filter((f) => f.severity === "error")
    .map((f) => `${f.code}: ${f.message}\n${f.detail ?? ""}`);
  for (const re of lint)
    assert.ok(
      errors.some((e) => e.startsWith("EMIGRAKIT_LINT_DESTRUCTIVE") && re.test(e)),
      `${re} among ${errors.join("")}`,
    );
  assert.deepEqual(
    errors.filter((e) => !(e.startsWith("EMIGRAKIT_LINT_DESTRUCTIVE") && lint.some((re) => re.test(e)))),
    [],
    text,
  );

  const db = await scratchDb(adminUrl);
  try {
    const params = {
      ...packageParams(await readSchemaRepo(repo.dir, "lnschema_demo"), { versionTable: "migration_demo" }),
      url: db.url,
    };
    await s.port.request("upgrade", { ...params, revision: FIRST });
    for (const sql of rows.seed) await query(db.url, sql);
    const expect = async (checks: [string, unknown[]][], when: string) => {
      for (const [sql, want] of checks) assert.deepEqual(await query(db.url, sql), want, `${when}: ${sql}\n${text}`);
    };
    await s.port.request("upgrade", { ...params, revision: NEXT });
    await expect(rows.after, "after the upgrade");
    await s.port.request("downgrade", { ...params, revision: FIRST });
    await expect(rows.before ?? [], "after the downgrade");
    await s.port.request("upgrade", { ...params, revision: NEXT });
    await expect(rows.after, "after the round trip");
  } finally {
    await db.drop();
  }
  return text;
}

/** What every careful test file shares: one Postgres and one session for the file, its repos cleaned up. */
export interface CarefulFile {
  readonly pg: TestPostgres;
  readonly session: Session;
  readonly repos: TempRepo[];
}

/** Registers the file's before/after hooks: Postgres and a session up before the tests, all gone after. */
export function carefulFile(): CarefulFile {
  let pg: TestPostgres | undefined;
  let session: Session | undefined;
  const repos: TempRepo[] = [];
  before(async () => {
    pg = await startTestPostgres();
    session = await openTestSession(pg.adminUrl, process.cwd());
  });
  after(async () => {
    await session?.close();
    for (const r of repos) r.cleanup();
    if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
    await pg?.stop();
  });
  return {
    get pg() {
      return pg!;
    },
    get session() {
      return session!;
    },
    repos,
  };
}
