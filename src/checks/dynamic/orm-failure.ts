// A failure that is the ORM failing to import, reported as that (issue 16 item 22, issue 17 item 11): the
// original exception at the ORM's file and line, instead of "fix upgrade()" on whichever script happened to
// load env.py first, or "compare failed".
import { finding, type Finding } from "../../errors/finding.js";
import { errorSummary, failureDetail, ormLocation, type RemoteFailure } from "./failure.js";

export function ormImportFinding(failure: RemoteFailure, pkg: string): Finding | undefined {
  const at = ormLocation(failure.frames, pkg);
  if (!at) return undefined;
  return finding(
    "EMIGRAKIT_ORM_IMPORT_FAILED",
    at,
    { package: pkg, module: pkg.split("/").pop(), file: at.file, line: at.line, error: errorSummary(failure) },
    { detail: failureDetail(failure) },
  );
}
