// The scratch Postgres: server (embedded or URL), scratch databases, templates, fingerprints.
export { getScratchServer, isCI, type ScratchServer, type ScratchServerOptions } from "./server.js";
export {
  ensureEmbeddedServer,
  stopEmbeddedServer,
  embeddedPaths,
  type EmbeddedOptions,
  type EmbeddedServer,
} from "./embedded.js";
export { createScratchDatabase, withScratchDatabase, type ScratchDatabase, type ScratchOptions } from "./scratch.js";
export { templateName, templateExists, createTemplateFrom, cloneTemplate, pruneTemplates } from "./templates.js";
export { schemaFingerprint, rowCounts, type FingerprintOptions } from "./fingerprint.js";
export { dropAllTracked } from "./cleanup.js";
export { withDatabase, isPostgresUrl } from "./url.js";
