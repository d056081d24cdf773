// Reading a schema package from a real folder: text decoding (strict UTF-8, BOM dropped) and package discovery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { discoverPackages, readSchemaRepo } from "../../src/model/repo.js";
import { chain, headOf, makeSchemaRepo, scriptFileName, scriptText } from "../helpers/schema-repo.js";

test("scripts and __init__.py are decoded strictly: invalid bytes are reported, a real U+FFFD and a BOM are not", async () => {
  const [a, b, c, d] = chain(4);
  const repo = makeSchemaRepo({
    scripts: [
      { ...a!, raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(scriptText(a!))]) },
      { ...b!, raw: scriptText(b!) + "# a replacement character: \uFFFD\n" },
      { ...c!, raw: Buffer.concat([Buffer.from(scriptText(c!)), Buffer.from([0xc3, 0x28])]) },
      d!,
    ],
    init: Buffer.from(`\uFEFF_migration = "${headOf([a!, b!, c!, d!])}"\n__version__ = "0.1.0"\n`),
    commit: false,
  });
  try {
    const r = await readSchemaRepo(repo.dir, repo.pkg);
    const versions = `${repo.pkg}/migrations/versions`;
    assert.deepEqual(r.undecodable, [`${versions}/${scriptFileName(c!)}`]);
    assert.deepEqual(
      r.scripts.map((s) => s.name.file),
      [a!, b!, d!].map(scriptFileName),
    );
    assert.equal(r.scripts[0]!.text, scriptText(a!)); // the BOM is dropped, as the strict decoder drops it
    assert.equal(r.scripts[0]!.source.header?.start, 0);
    assert.ok(r.scripts[1]!.text.endsWith("\uFFFD\n"));
    assert.equal(r.init?.text?.charCodeAt(0), 0x5f);
    assert.equal(r.init?.parsed?.version?.value, "0.1.0");
  } finally {
    repo.cleanup();
  }
});

test("packages are found at the top level and under src/, skipping hidden and build folders", async () => {
  const repo = makeSchemaRepo({
    scripts: [],
    files: {
      "src/other_pkg/migrations/versions/.gitkeep": "",
      ".hidden/migrations/versions/.gitkeep": "",
      "node_modules/x/migrations/versions/.gitkeep": "",
      "not_a_package/migrations/.gitkeep": "",
    },
    commit: false,
  });
  try {
    assert.deepEqual(await discoverPackages(repo.dir), [repo.pkg, "src/other_pkg"]);
    assert.deepEqual(await discoverPackages(`${repo.dir}/missing`), []);
  } finally {
    repo.cleanup();
  }
});
