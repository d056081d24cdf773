// One release job: README.md, docs/ci.md and release-plugins/README.md show exactly what `init --ci github`
// writes (npm run docs:workflows pastes it), and that job uses the current Node LTS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { migrationsWorkflow, releaseWorkflow, WORKFLOW_NODE } from "../../src/init/templates.js";
import { WORKFLOW_DOCS, workflowBlock } from "../../src/init/workflow-docs.js";

const doc = (rel: string) => readFileSync(new URL(`../../../${rel}`, import.meta.url), "utf8");

test("every doc that shows the release job shows the one init writes (run `npm run docs:workflows` after changing it)", () => {
  for (const rel of WORKFLOW_DOCS)
    assert.ok(doc(rel).includes(workflowBlock()), `${rel} shows the release job of src/init/templates.ts`);
});

test("the generated workflows set up the current Node LTS; the package itself still accepts Node 20", () => {
  const pkg = JSON.parse(doc("package.json"));
  assert.equal(pkg.engines.node, ">=20.8.1");
  assert.ok(Number(WORKFLOW_NODE) >= 22, "a Node that semantic-release's GitHub dependencies accept");
  for (const text of [releaseWorkflow(), migrationsWorkflow({ pythonInstall: "pip install -e ." })]) {
    const wf = parseYaml(text);
    const job = Object.values(wf.jobs)[0] as { steps: { uses?: string; with?: Record<string, unknown> }[] };
    const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node"));
    assert.equal(String(node?.with?.["node-version"]), WORKFLOW_NODE);
  }
});
