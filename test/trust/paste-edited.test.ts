// Issue 16 item 10 for EMIGRAKIT_SCRIPT_EDITED (test/check/paste-block.test.ts does EMIGRAKIT_MODELS_MISMATCH):
// an unreleased script edited by hand is kept, and `generate` prints the operations still missing. Pasted as
// told (the imports at the top, the blocks into upgrade() and downgrade()), the script must run: the real
// check then upgrades a scratch database through it, finds the models matching and round-trips it. The new
// column is a sqlmodel AutoString, whose block names `sqlmodel` (a NameError if its import were missing).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pruneTemplates } from "../../src/db/templates.js";
import { runCli } from "../helpers/cli.js";
import { exampleRepo, type ExampleRepo } from "../helpers/example-repo.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { testPythons } from "../helpers/python.js";
import { tempCache } from "../check/dynamic-helpers.js";

let pg: TestPostgres;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => {
  if (pg) await pruneTemplates(pg.adminUrl, { keep: 0 });
  await pg?.stop();
});

for (const { name, python } of testPythons()) {
  test(`EMIGRAKIT_SCRIPT_EDITED: the printed lines pasted into the kept script as told, the check passes (${name} stack)`, (t) => {
    const repo: ExampleRepo = exampleRepo();
    t.after(() => repo.cleanup());
    const cache = tempCache();
    const cli = (args: string[]) => {
      const r = runCli(args, {
        cwd: repo.dir,
        env: { MIGRAKIT_PYTHON: python, MIGRAKIT_DATABASE_URL: pg.adminUrl, XDG_CACHE_HOME: cache, CI: "" },
        timeoutMs: 300_000,
      });
      return { ...r, all: r.stdout + r.stderr };
    };
    const core = `${repo.pkg}/_core.py`;
    const versions = join(repo.dir, repo.pkg, "migrations", "versions");
    // An unreleased script, written by generate, then edited by hand.
    repo.write(
      core,
      repo
        .read(core)
        .replace(
          "    handle: str = Field(index=True, unique=True)\n",
          "    handle: str = Field(index=True, unique=True)\n    age: Optional[int] = None\n",
        ),
    );
    const gen = cli(["generate"]);
    assert.equal(gen.status, 0, gen.all);
    const file = readdirSync(versions).find((f) => f.endsWith("-vx_x_x.py"));
    assert.ok(file, gen.all);
    const path = `${repo.pkg}/migrations/versions/${file}`;
    repo.write(
      path,
      repo.read(path).replace("def upgrade() -> None:\n", "def upgrade() -> None:\n    # reviewed by hand\n"),
    );
    // The ORM moves on: a text column (sqlmodel's AutoString).
    repo.write(
      core,
      repo
        .read(core)
        .replace(
          "    age: Optional[int] = None\n",
          "    age: Optional[int] = None\n    nickname: Optional[str] = None\n",
        ),
    );
    const edited = cli(["generate"]);
    assert.equal(edited.status, 1, edited.all);
    assert.match(edited.stderr, /EMIGRAKIT_SCRIPT_EDITED/, edited.all);
    // The block as printed below the fix line, indented by four spaces.
    const lines = edited.stderr.split("\n");
    const first = lines.findIndex((l) => /^ {4}# (at the top of the script|in upgrade\(\)):/.test(l));
    assert.ok(first >= 0, edited.all);
    const detail = lines
      .slice(first)
      .filter((l) => l.startsWith("    ") || l === "")
      .map((l) => l.slice(4))
      .join("\n");
    assert.match(detail, /nickname/);

    // Pasted as the finding says.
    const part = (from: string, to?: string) => {
      const start = detail.indexOf(from);
      if (start < 0) return "";
      const end = to ? detail.indexOf(to) : detail.length;
      return detail.slice(start + from.length, end).trim();
    };
    const imports = part("# at the top of the script:", "# in upgrade():");
    const up = part("# in upgrade():", "# in downgrade():");
    const down = part("# in downgrade():");
    const indent = (block: string) =>
      block
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n");
    let script = repo.read(path);
    // In upgrade(): after its last line; in downgrade(): before its first (they undo in reverse order).
    script = script.replace(
      /\n\n\ndef downgrade\(\) -> None:\n/,
      `\n${indent(up)}\n\n\ndef downgrade() -> None:\n${indent(down)}\n`,
    );
    if (imports) script = script.replace(/^(from alembic import op.*)$/m, `$1\n${imports}`);
    repo.write(path, script);

    const fixed = cli(["check"]);
    assert.equal(fixed.status, 0, `${script}\n${fixed.all}`);
    assert.doesNotMatch(fixed.all, /NameError/);
    // And generate, asked again, finds nothing missing.
    const again = cli(["generate"]);
    assert.equal(again.status, 0, again.all);
    assert.doesNotMatch(again.all, /EMIGRAKIT_SCRIPT_EDITED/);
  });
}
