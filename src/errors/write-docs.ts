// `npm run docs:errors`: regenerate docs/errors.md from the catalogue.
import { writeFileSync } from "node:fs";
import { renderErrorDocs } from "./docs.js";

writeFileSync(new URL("../../../docs/errors.md", import.meta.url), renderErrorDocs());
