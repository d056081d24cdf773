// The static rules of docs/spec.md §1 over a loaded schema repo. Pure: everything it needs is in the model.
import { transactionControlFindings } from "./transaction-control.js";
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { comparePep440, isCanonicalPep440, normalizePep440 } from "../model/pep440.js";
import { formatScriptName, UNRELEASED_SLUG } from "../model/script-name.js";
import { headerText } from "../model/script-source.js";
import { packageVersionOf } from "../model/package-version.js";
import { labelledBranches } from "../model/graph.js";
import { finding, type Finding } from "../errors/finding.js";

const NEW_REVISION = /^[0-9a-f]{12}$/;
const SCHEMA_ID = /^[a-z0-9_]+$/;

// A thousand scripts share a few hundred dates: each is checked once per process.
const realDates = new Map<string, boolean>();

function isRealDate(date: string): boolean {
  let real = realDates.get(date);
  if (real === undefined) {
    const [y, m, d] = date.split("-").map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, d));
    real = t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
    realDates.set(date, real);
  }
  return real;
}

/** What the file should be called, for fix hints. */
function suggestedName(s: ScriptFile, slug: string): string {
  const revision = s.source.revision?.value ?? s.name.revision ?? "<revision>";
  const date = s.name.date ?? "YYYY-MM-DD";
  return formatScriptName({ date, revision, slug });
}

/** The revisions `acceptHistoryUpTo` covers: it and every one before it on the chain. */
function acceptedRevisions(repo: SchemaRepo): Set<string> {
  const chain = repo.graph.chain;
  const upTo = repo.acceptedUpTo;
  if (!upTo || !chain?.includes(upTo)) return new Set();
  return new Set(chain.slice(0, chain.indexOf(upTo) + 1));
}

function scriptFindings(s: ScriptFile, accepted: Set<string>): Finding[] {
  const out: Finding[] = [];
  const at = { file: s.path, line: 1 };
  const { name, source } = s;
  if (source.syntaxError) {
    out.push(
      finding(
        "EMIGRAKIT_SCRIPT_SYNTAX",
        { file: s.path, line: source.syntaxError.line },
        { reason: source.syntaxError.message },
      ),
    );
  }
  if (name.date !== null && !isRealDate(name.date)) out.push(finding("EMIGRAKIT_SCRIPT_DATE", at, { date: name.date }));
  if (!source.revision) out.push(finding("EMIGRAKIT_REVISION_MISSING", at));
  if (!source.downRevision) out.push(finding("EMIGRAKIT_DOWN_REVISION_MISSING", at));
  const revision = source.revision?.value;
  if (revision !== undefined && name.revision !== null && name.revision !== revision) {
    out.push(
      finding(
        "EMIGRAKIT_REVISION_NAME_MISMATCH",
        { file: s.path, line: source.revision!.line },
        { nameRevision: name.revision, revision, suggestion: suggestedName(s, name.slug ?? UNRELEASED_SLUG) },
      ),
    );
  }
  if (name.kind === "legacy") return out; // legacy scripts are accepted as they are (docs/spec.md §1)
  if (revision !== undefined && accepted.has(revision)) return out; // history as it is (acceptHistoryUpTo)
  const expected = name.kind === "unreleased" ? headerText(null) : headerText(name.version);
  if (!source.header) out.push(finding("EMIGRAKIT_HEADER_MISSING", at, { expected }));
  else {
    const ok =
      name.kind === "unreleased"
        ? source.header.kind === "unreleased"
        : source.header.kind === "released" &&
          normalizePep440(source.header.version ?? "") === normalizePep440(name.version ?? "");
    if (!ok) {
      const released = name.kind === "released" ? { released: true, revision: revision ?? name.revision } : {};
      out.push(
        finding(
          "EMIGRAKIT_HEADER_MISMATCH",
          { file: s.path, line: source.header.line },
          { header: source.header.text, expected, ...released },
        ),
      );
    }
  }
  if (name.kind === "unreleased" && revision !== undefined && !NEW_REVISION.test(revision)) {
    out.push(finding("EMIGRAKIT_REVISION_FORMAT", { file: s.path, line: source.revision!.line }, { revision }));
  }
  return out;
}

/** Does `rev` descend from `ancestor` (or is it `ancestor`)? Walks down_revision links. */
function descends(repo: SchemaRepo, rev: string, ancestor: string): boolean {
  const seen = new Set<string>();
  const todo = [rev];
  while (todo.length) {
    const r = todo.pop()!;
    if (r === ancestor) return true;
    if (seen.has(r)) continue;
    seen.add(r);
    for (const s of repo.graph.byRevision.get(r) ?? []) todo.push(...(s.source.downRevision?.value ?? []));
  }
  return false;
}

function graphFindings(repo: SchemaRepo): Finding[] {
  const out: Finding[] = [];
  const g = repo.graph;
  const first = (rev: string) => g.byRevision.get(rev)?.[0];
  const where = (rev: string, line?: "revision" | "down") => {
    const s = first(rev);
    if (!s) return {};
    const span = line === "down" ? s.source.downRevision : s.source.revision;
    return { file: s.path, line: span?.line ?? 1 };
  };
  for (const [revision, scripts] of g.byRevision) {
    if (scripts.length > 1) {
      for (const s of scripts.slice(1))
        out.push(
          finding(
            "EMIGRAKIT_DUPLICATE_REVISION",
            { file: s.path, line: s.source.revision?.line ?? 1 },
            { revision, files: scripts.map((x) => x.path).join(", ") },
          ),
        );
    }
  }
  for (const m of g.missingParents) out.push(finding("EMIGRAKIT_MISSING_PARENT", where(m.revision, "down"), m));
  for (const cycle of g.cycles)
    out.push(finding("EMIGRAKIT_CYCLE", where(cycle[0]!, "down"), { cycle: cycle.join(" → ") }));
  // An app's alembic history may merge branches on purpose (docs/spec.md §3, convention alembic).
  for (const rev of repo.convention === "alembic" ? [] : g.merges) {
    out.push(
      finding("EMIGRAKIT_MERGE_REVISION", where(rev, "down"), {
        revision: rev,
        file: first(rev)?.path,
        parents: first(rev)?.source.downRevision?.value.join(", "),
      }),
    );
  }
  const named = (revs: string[]) => revs.map((r) => `${r} (${first(r)?.path ?? "?"})`).join(", ");
  // alembic's multi-branch setup (an app's repo): several heads, each naming its own branch by `branch_labels`,
  // are one history (`alembic upgrade heads`), whether the branches grow from one script or from several roots.
  if (repo.convention === "alembic" && labelledBranches(g)) return out;
  if (g.roots.length > 1) {
    // The later root's script is pointed at the head of the history the first root starts (when it has one head).
    const later = first(g.roots[1]!);
    const onto = g.heads.find((h) => descends(repo, h, g.roots[0]!) && !descends(repo, h, g.roots[1]!));
    const step =
      later && onto
        ? `In ${later.path}, set down_revision = "${onto}" (the head of the other chain)`
        : "Point every root but the first at its parent";
    out.push(
      finding("EMIGRAKIT_MULTIPLE_ROOTS", where(g.roots[1]!, "down"), {
        count: g.roots.length,
        roots: named(g.roots),
        step,
      }),
    );
  }
  if (g.heads.length > 1) {
    // `migrakit rebase` moves an unreleased script; when every head is released, rebase cannot help (no loop).
    const unreleased = g.heads.filter((h) => first(h)?.name.kind === "unreleased");
    const released = g.heads.filter((h) => !unreleased.includes(h));
    // An app's repo: an unmerged branch is merged the way alembic does it (rebase is the lamin way).
    const step =
      repo.convention === "alembic"
        ? // The heads by name: `alembic merge heads` leaves out a head another branch only depends_on.
          `Merge them in a new script: \`alembic merge -m "merge" ${g.heads.join(" ")}\` (or, for branches kept apart on purpose, give each its own \`branch_labels\`)`
        : unreleased.length >= 1
          ? `Run \`migrakit rebase\` after merging the other branch: it puts the branch's unreleased script (of ${named(unreleased)}) on ${released[0] ?? "main's head"}`
          : `Every head is released, so rebase cannot move one: merge them in a new unreleased script (\`alembic merge ${g.heads.join(" ")}\`) and set \`convention: "alembic"\`, which accepts merge revisions`;
    out.push(
      finding("EMIGRAKIT_MULTIPLE_HEADS", where(g.heads[1]!), { count: g.heads.length, heads: named(g.heads), step }),
    );
  }
  if (!g.chain) return out;

  // Along the chain: unreleased scripts only at the tip, legacy names only before them, versions never go back.
  let firstUnreleased: ScriptFile | undefined;
  let previous: ScriptFile | undefined;
  const packageVersion = packageVersionOf(repo.init, repo.pyproject)?.value;
  const comparable = packageVersion !== undefined && isCanonicalPep440(normalizePep440(packageVersion) ?? "");
  const accepted = acceptedRevisions(repo);
  for (const rev of g.chain) {
    const s = first(rev) as ScriptFile;
    if (accepted.has(rev)) {
      if (s.name.kind === "released" && s.name.version) previous = s;
      continue; // history as it is (acceptHistoryUpTo)
    }
    const at = { file: s.path, line: 1 };
    if (s.name.kind === "unreleased") firstUnreleased ??= s;
    else if (firstUnreleased && s.name.kind === "released") {
      out.push(finding("EMIGRAKIT_UNRELEASED_NOT_AT_TIP", at, { unreleased: firstUnreleased.path, released: s.path }));
    } else if (firstUnreleased && s.name.kind === "legacy") {
      out.push(
        finding("EMIGRAKIT_SCRIPT_NAME", at, {
          name: s.path.split("/").pop(),
          suggestion: suggestedName(s, UNRELEASED_SLUG),
        }),
      );
    }
    if (s.name.kind === "released" && s.name.version) {
      if (previous?.name.version && comparePep440(s.name.version, previous.name.version) < 0) {
        out.push(
          finding("EMIGRAKIT_RELEASE_ORDER", at, {
            file: s.path,
            version: s.name.version,
            previousFile: previous.path,
            previousVersion: previous.name.version,
          }),
        );
      }
      if (packageVersion && comparable && comparePep440(s.name.version, packageVersion) > 0) {
        out.push(finding("EMIGRAKIT_RELEASED_AHEAD", at, { file: s.path, version: s.name.version, packageVersion }));
      }
      previous = s;
    }
  }
  return out;
}

function initFindings(repo: SchemaRepo): Finding[] {
  const init = repo.init;
  if (!init)
    return [finding("EMIGRAKIT_INIT_MISSING", { file: `${repo.package}/__init__.py` }, { package: repo.package })];
  if (!init.parsed)
    return [
      finding(
        "EMIGRAKIT_INIT_UNREADABLE",
        { file: init.path, line: 1 },
        { file: init.path, reason: "it is not valid UTF-8" },
      ),
    ];
  const out: Finding[] = [];
  const p = init.parsed;
  // A `__version__` that is no version literal (computed, "develop") is fine when pyproject.toml holds the
  // version: that is then the one the version rules read and the release bumps.
  const version = packageVersionOf(init, repo.pyproject);
  const inPyproject = version !== null && version.source !== "__version__";
  for (const u of p.unreadable)
    if (!(inPyproject && u.name === "__version__"))
      out.push(finding("EMIGRAKIT_INIT_VALUE_UNREADABLE", { file: init.path, line: u.line }, { name: u.name }));
  const unreadable = new Set(p.unreadable.map((u) => u.name));
  if (inPyproject) {
    if (normalizePep440(version.value) === null)
      out.push(
        finding(
          "EMIGRAKIT_VERSION_INVALID",
          { file: version.file, line: version.line },
          { version: version.value, source: `${version.source} of ${version.file}` },
        ),
      );
  } else if (!p.version && !unreadable.has("__version__"))
    out.push(finding("EMIGRAKIT_VERSION_MISSING", { file: init.path, line: 1 }, { file: init.path }));
  else if (p.version && normalizePep440(p.version.value) === null) {
    out.push(
      finding("EMIGRAKIT_VERSION_INVALID", { file: init.path, line: p.version.line }, { version: p.version.value }),
    );
  }
  if (p.schemaId && !SCHEMA_ID.test(p.schemaId.value)) {
    out.push(
      finding(
        "EMIGRAKIT_SCHEMA_ID_INVALID",
        { file: init.path, line: p.schemaId.line },
        { schemaId: p.schemaId.value },
      ),
    );
  }
  const g = repo.graph;
  const head = g.heads.length === 1 ? g.heads[0]! : null;
  const hasScripts = repo.scripts.length > 0 || repo.undecodable.length > 0 || repo.notFiles.length > 0;
  if (!p.migration) {
    if (hasScripts && !unreadable.has("_migration"))
      out.push(
        finding(
          "EMIGRAKIT_MIGRATION_MISSING",
          { file: init.path, line: 1 },
          { file: init.path, head: head ?? "<head>" },
        ),
      );
  } else if (g.heads.length <= 1 && g.cycles.length === 0 && p.migration.value !== head) {
    out.push(
      finding(
        "EMIGRAKIT_MIGRATION_MISMATCH",
        { file: init.path, line: p.migration.line },
        { migration: p.migration.value, head },
      ),
    );
  }
  return out;
}

export function staticFindings(repo: SchemaRepo): Finding[] {
  const out: Finding[] = [];
  for (const n of repo.notFiles)
    out.push(finding("EMIGRAKIT_SCRIPT_NOT_A_FILE", { file: n.path }, { file: n.path, kind: n.kind }));
  for (const path of repo.undecodable) out.push(finding("EMIGRAKIT_SCRIPT_NOT_UTF8", { file: path, line: 1 }));
  const accepted = acceptedRevisions(repo);
  for (const s of repo.scripts) out.push(...scriptFindings(s, accepted), ...transactionControlFindings(s));
  // Under the alembic convention no `_migration` or `__version__` is required: the package file is not read.
  out.push(...graphFindings(repo), ...(repo.convention === "alembic" ? [] : initFindings(repo)));
  return out;
}
