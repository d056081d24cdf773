// Interpreter discovery on a real file system: which Python wins, in docs/spec.md §3's order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPython } from "../../src/bridge/interpreter.js";
import { testPythons } from "../helpers/python.js";

const real = testPythons()[0]!.python;

async function venv(root: string, name: string): Promise<string> {
  await mkdir(join(root, name, "bin"), { recursive: true });
  const python = join(root, name, "bin", "python");
  await symlink(real, python);
  return python;
}

test("config, then MIGRAKIT_PYTHON, then VIRTUAL_ENV, then .venv, then PATH", async () => {
  const root = await mkdtemp(join(tmpdir(), "migrakit-python-"));
  try {
    const bin = join(root, "bin");
    await mkdir(bin);
    await writeFile(join(bin, "python3"), "#!/bin/sh\n");
    await chmod(join(bin, "python3"), 0o755);
    const env = { PATH: bin };
    assert.deepEqual(await findPython({ cwd: root, env }), { python: join(bin, "python3"), source: "PATH" });
    const dotVenv = await venv(root, ".venv");
    assert.deepEqual(await findPython({ cwd: root, env }), { python: dotVenv, source: ".venv" });
    const active = await venv(root, "active");
    assert.deepEqual(await findPython({ cwd: root, env: { ...env, VIRTUAL_ENV: join(root, "active") } }), {
      python: active,
      source: "VIRTUAL_ENV",
    });
    // A VIRTUAL_ENV that does not exist (deleted since) is skipped.
    assert.equal((await findPython({ cwd: root, env: { ...env, VIRTUAL_ENV: join(root, "gone") } })).source, ".venv");
    const chosen = await venv(root, "chosen");
    assert.deepEqual(
      await findPython({ cwd: root, env: { ...env, VIRTUAL_ENV: join(root, "active"), MIGRAKIT_PYTHON: chosen } }),
      { python: chosen, source: "MIGRAKIT_PYTHON" },
    );
    // The configuration's python wins, relative to the repo; a bare name is looked up on PATH.
    assert.deepEqual(
      await findPython({ configPython: "active/bin/python", cwd: root, env: { ...env, MIGRAKIT_PYTHON: chosen } }),
      { python: active, source: "config" },
    );
    assert.deepEqual(await findPython({ configPython: "python3", cwd: root, env }), {
      python: join(bin, "python3"),
      source: "config",
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
