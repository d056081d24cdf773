// The bridge contract on both sides: the TypeScript method map (src/bridge/contract.ts) names exactly the
// methods of Python's one method table (python/migrakit_bridge/methods.py), and the server finds each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { bridgeEnv } from "../../src/bridge/client.js";
import { METHODS } from "../../src/bridge/contract.js";
import { testPythons } from "../helpers/python.js";

// Python's table, and for each TypeScript name whether the server's lookup serves it.
const READ_TABLE = `
import json, sys
from migrakit_bridge.methods import METHODS
from migrakit_bridge.server import LazyMethods
served = LazyMethods()
print(json.dumps({"table": sorted(METHODS), "served": [n for n in sys.argv[1:] if callable(served.get(n))]}))
`;

for (const { name, python } of testPythons()) {
  test(`the TypeScript method map and methods.py name the same methods (${name} stack)`, () => {
    const names = Object.keys(METHODS).sort();
    const out = execFileSync(python, ["-c", READ_TABLE, ...names], {
      env: bridgeEnv({ env: process.env }),
      encoding: "utf8",
    });
    const { table, served } = JSON.parse(out) as { table: string[]; served: string[] };
    assert.deepEqual(
      names.filter((n) => !table.includes(n)),
      [],
      "in src/bridge/contract.ts but not in python/migrakit_bridge/methods.py",
    );
    assert.deepEqual(
      table.filter((n) => !names.includes(n)),
      [],
      "in python/migrakit_bridge/methods.py but not in src/bridge/contract.ts",
    );
    assert.deepEqual(served, names, "every method of the contract is served by server.py");
  });
}
