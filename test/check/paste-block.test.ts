// Issue 16 item 10: the op block EMIGRAKIT_MODELS_MISMATCH prints must run as pasted. The ORM gains a column of a
// repo-defined TypeDecorator (lnschema_demo._core.Money) and a sqlmodel AutoString column; the printed block is
// pasted into a new script made from the repo's own script.py.mako, and the real check then passes (upgrade,
// models match, round trip) — a NameError on `lnschema_demo` or `sqlmodel` would fail it. Both Python stacks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { pruneTemplates } from "../../src/db/templates.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const PKG = "lnschema_demo";
const NEW_REV = "c0ffee000001";
let pg: TestPostgres;
let work: string;
before(async () => {
  pg = await startTestPostgres();
  work = mkdtempSync(join(tmpdir(), "migrakit-paste-"));
});
after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

const MONEY = `

import sqlalchemy as _sa


class Money(_sa.types.TypeDecorator):  # a repo-defined column type
    impl = _sa.Numeric(12, 2)
    cache_ok = True
`;
import { gitIn } from "../helpers/git.js";

for (const { name, python } of testPythons()) {
  test(`the MODELS_MISMATCH block runs as pasted into the repo's own template (${name} stack)`, () => {
    const dir = join(work, name);
    cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
    const core = join(dir, PKG, "_core.py");
    let orm = readFileSync(core, "utf8").replace(
      "from sqlmodel import Field, SQLModel\n",
      `from sqlmodel import Field, SQLModel\n${MONEY}\n`,
    );
    orm = orm.replace(
      '    created_by: str = Field(foreign_key="core.user.id", index=True)\n',
      '    created_by: str = Field(foreign_key="core.user.id", index=True)\n    price: Optional[float] = Field(default=None, sa_column=_sa.Column("price", Money(), nullable=True))\n    label: Optional[str] = Field(default=None)\n',
    );
    writeFileSync(core, orm);
    const git = gitIn(dir);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "orm with a price");
    const env = {
      MIGRAKIT_DATABASE_URL: pg.adminUrl,
      MIGRAKIT_PYTHON: python,
      CI: "true",
      XDG_CACHE_HOME: join(work, `cache-${name}`),
    };
    const config = '{"requireReleaseTags": false}';
    writeFileSync(join(dir, "migrakit.config.json"), config);

    const r = runCli(["check", "--json"], { cwd: dir, env });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const f = (JSON.parse(r.stdout) as { findings: { code: string; detail?: string }[] }).findings.find(
      (x) => x.code === "EMIGRAKIT_MODELS_MISMATCH",
    );
    assert.ok(f?.detail, r.stdout);
    const detail = f.detail;
    assert.match(detail, /lnschema_demo\._core\.Money\(/);
    assert.match(detail, /^import lnschema_demo\._core$/m);

    // Paste it as the finding says: the imports at the top, the two blocks in the two functions.
    const part = (from: string, to?: string) => {
      const start = detail.indexOf(from);
      const end = to ? detail.indexOf(to) : detail.length;
      return detail.slice(start + from.length, end).trim();
    };
    const imports = detail.includes("# at the top of the script:")
      ? part("# at the top of the script:", "# in upgrade():")
      : "";
    const up = part("# in upgrade():", "# in downgrade():");
    const down = part("# in downgrade():");
    const indent = (block: string) =>
      block
        .split("\n")
        .map((l, i) => (i === 0 ? l : `    ${l}`))
        .join("\n");
    const template = readFileSync(join(dir, PKG, "migrations", "script.py.mako"), "utf8");
    let script = template
      .replace("${up_revision}", NEW_REV)
      .replace(/\$\{[^}]*down_revision[^}]*\}/, '"dd2b4a9499f2"') // `${repr(down_revision)}` or a quoting expression
      .replace('${upgrades if upgrades else "pass"}', indent(up))
      .replace('${downgrades if downgrades else "pass"}', indent(down));
    assert.doesNotMatch(script, /\$\{/, "every template slot filled");
    script = script.replace(/^(import sqlmodel as sqm.*)$/m, `$1\n${imports}`);
    writeFileSync(join(dir, PKG, "migrations", "versions", `2023-03-01-${NEW_REV}-vx_x_x.py`), script);
    const init = join(dir, PKG, "__init__.py");
    writeFileSync(init, readFileSync(init, "utf8").replace('_migration = "dd2b4a9499f2"', `_migration = "${NEW_REV}"`));

    const pasted = runCli(["check"], { cwd: dir, env });
    assert.equal(pasted.status, 0, `${script}\n${pasted.stdout}${pasted.stderr}`);
    assert.doesNotMatch(pasted.stderr, /NameError/);
  });
}
