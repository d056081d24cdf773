// The migrakit semantic-release plugin (`["migrakit/release", {…}]`): wiring only, one file per lifecycle step.
export { verifyConditions } from "./verify-conditions.js";
export { analyzeCommits } from "./analyze-commits.js";
export { verifyRelease } from "./verify-release.js";
export { generateNotes } from "./generate-notes.js";
export { prepare } from "./prepare.js";
