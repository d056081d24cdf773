// Issue 16 item 27: whatever docstring a repo's script.py.mako has, a new script opens with exactly
// `"""vX.X.X."""`, or `"""vX.X.X.` and the rest of the docstring. Each template is rendered by the real bridge
// (alembic's own mako rendering) on both Python stacks, then finished as `generate` finishes it, then read by
// Python itself.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBridge, type Bridge } from "../../src/bridge/index.js";
import { finishNewScript } from "../../src/generate/script-text.js";
import { parseScriptSource } from "../../src/model/script-source.js";
import { REPO_ROOT, testPythons } from "../helpers/python.js";

const BODY = [
  "from alembic import op",
  "import sqlalchemy as sa",
  "${imports if imports else ''}",
  'revision = "${up_revision}"',
  "down_revision = ${repr(down_revision)}",
  "",
  "",
  "def upgrade() -> None:",
  '    ${upgrades if upgrades else "pass"}',
  "",
  "",
  "def downgrade() -> None:",
  '    ${downgrades if downgrades else "pass"}',
  "",
].join("\n");

const SHAPES: Record<string, string> = {
  "alembic's default":
    '"""${message}\n\nRevision ID: ${up_revision}\nRevises: ${down_revision | comma,n}\nCreate Date: ${create_date}\n\n"""\n',
  "lamin's (message on the first line, ids below)": '"""${message}\n\nRevision ID: ${up_revision}\n"""\n',
  "${message}. on one line": '"""${message}."""\n',
  "the example's vX.X.X.": '"""vX.X.X."""\n',
  "vX.X.X. then the message": '"""vX.X.X. ${message}"""\n',
  "single triple quotes": "'''${message}\n\nRevision ID: ${up_revision}\n'''\n",
  "single quotes on one line": "'${message}'\n",
  "no docstring": "",
  "a comment before no docstring": "# generated\n",
};

for (const { name, python } of testPythons()) {
  describe(`new-script header from every template shape (${name} stack)`, () => {
    let dir: string;
    let bridge: Bridge;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "migrakit-template-"));
      cpSync(join(REPO_ROOT, "examples", "schema-repo"), dir, { recursive: true });
      bridge = await startBridge({
        python,
        cwd: dir,
        env: process.env,
        package: { repo_root: dir, package: "lnschema_demo" },
      });
    });
    after(async () => {
      await bridge?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const [shape, docstring] of Object.entries(SHAPES)) {
      for (const message of ["", "add a price column"]) {
        test(`${shape}, ${message ? "with" : "without"} -m`, async () => {
          const template = join(dir, `${Object.keys(SHAPES).indexOf(shape)}.mako`);
          writeFileSync(template, docstring + BODY);
          const rendered = await bridge.request("render_script", {
            template,
            revision: "0123456789ab",
            down_revision: "dd2b4a9499f2",
            message,
            upgrades: "pass",
            downgrades: "pass",
            imports: "",
          });
          const text = finishNewScript(rendered.text, { message: message || undefined, imports: [] });
          const first = text.split("\n")[0]!;
          assert.ok(
            first === '"""vX.X.X."""' || first === '"""vX.X.X.',
            `first line ${JSON.stringify(first)} of\n${text}`,
          );
          if (first === '"""vX.X.X.') assert.equal(text.split("\n")[1], "", "a blank line after the header line");
          assert.equal(parseScriptSource(text).header?.kind, "unreleased");
          // The template quotes revision literally and down_revision with repr(): the script does not mix them.
          assert.match(text, /^revision = "0123456789ab"$/m);
          assert.match(text, /^down_revision = "dd2b4a9499f2"$/m);
          // Python reads it: one docstring, its first line the header, the message kept, nothing left dangling.
          const file = join(dir, "out.py");
          writeFileSync(file, text);
          const doc = execFileSync(
            python,
            [
              "-c",
              "import ast,sys,json; print(json.dumps(ast.get_docstring(ast.parse(open(sys.argv[1]).read()), clean=False)))",
              file,
            ],
            { encoding: "utf8" },
          );
          const value = JSON.parse(doc) as string;
          assert.equal(value.split("\n")[0], "vX.X.X.");
          if (message) assert.ok(value.includes(message), value);
          assert.doesNotMatch(value, /^\s*\.\s*$/m, "no line that is a lone dot");
          if (docstring.includes("Revision ID")) assert.match(value, /Revision ID: 0123456789ab/);
        });
      }
    }
  });
}
