// `npm run docs:errors`: regenerate docs/errors.md from the catalogue.
import { writeFileSync } from "node:fs";
import { fromPackageRoot } from "../util/package-root.js";
import { renderErrorDocs } from "./docs.js";

writeFileSync(fromPackageRoot("docs", "errors.md"), renderErrorDocs());
