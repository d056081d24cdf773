// `npm run docs:workflows`: paste the release job `init --ci github` writes into the docs that show it.
import { readFileSync, writeFileSync } from "node:fs";
import { WORKFLOW_DOCS, withWorkflow } from "./workflow-docs.js";

for (const rel of WORKFLOW_DOCS) {
  const url = new URL(`../../../${rel}`, import.meta.url);
  writeFileSync(url, withWorkflow(readFileSync(url, "utf8")));
}
