// Builds schema repos (docs/spec.md §1) in temporary git repos from inline descriptions, for tests and benches.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gitIn } from "./git.js";

export interface ScriptSpec {
  revision: string;
  /** down_revision: a revision, null for the root, or a list for a merge. */
  down: string | null | string[];
  /** File-name slug: `vx_x_x` (default) or a released slug like `v1_0_0`, or a legacy word. */
  slug?: string;
  date?: string;
  /** The docstring's text; default `vX.X.X.` for vx_x_x, `v1.0.0.` for v1_0_0, none for legacy slugs. null = no docstring. */
  header?: string | null;
  /** Body of upgrade() (indented by the builder); default `pass`. */
  upgrade?: string;
  downgrade?: string;
  /** A whole file name, overriding date-revision-slug. */
  file?: string;
  /** The whole file text (or bytes), overriding everything but the name. */
  raw?: string | Buffer;
}

export interface InitSpec {
  migration?: string | null;
  version?: string;
  schemaId?: string;
}

export interface RepoSpec {
  /** Package folder (default `lnschema_demo`). */
  package?: string;
  /** A tag for the commit (`v0.1.0`), as a release would leave; default none. */
  tag?: string;
  /** __init__.py: values, raw text/bytes, or null for no file. Default: version 0.1.0 and _migration = head. */
  init?: InitSpec | string | Buffer | null;
  scripts?: ScriptSpec[];
  /** Extra files, path → content, relative to the repo root. */
  files?: Record<string, string | Buffer>;
  /** Commit everything (default true). */
  commit?: boolean;
}

export interface TempRepo {
  dir: string;
  pkg: string;
  path(rel: string): string;
  read(rel: string): string;
  write(rel: string, content: string | Buffer): void;
  git(...args: string[]): string;
  /** Path → sha256 of every file outside .git: to assert that nothing changed. */
  snapshot(): Map<string, string>;
  cleanup(): void;
}

const versionOfSlug = (slug: string) => (/^v\d/.test(slug) ? slug.slice(1).replace(/_/g, ".") : null);

export function scriptText(s: ScriptSpec): string {
  const slug = s.slug ?? "vx_x_x";
  const header =
    s.header !== undefined
      ? s.header
      : slug === "vx_x_x"
        ? "vX.X.X."
        : versionOfSlug(slug)
          ? `v${versionOfSlug(slug)}.`
          : null;
  const down =
    s.down === null ? "None" : Array.isArray(s.down) ? `(${s.down.map((d) => `"${d}"`).join(", ")})` : `"${s.down}"`;
  const indent = (body: string) =>
    body
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n");
  return [
    ...(header === null ? [] : [`"""${header}"""`]),
    "from alembic import op",
    "import sqlalchemy as sa  # noqa",
    "import sqlmodel as sqm  # noqa",
    "",
    `revision = "${s.revision}"`,
    `down_revision = ${down}`,
    "",
    "",
    "def upgrade() -> None:",
    indent(s.upgrade ?? "pass"),
    "",
    "",
    "def downgrade() -> None:",
    indent(s.downgrade ?? "pass"),
    "",
  ].join("\n");
}

export function scriptFileName(s: ScriptSpec): string {
  return s.file ?? `${s.date ?? "2023-02-16"}-${s.revision}-${s.slug ?? "vx_x_x"}.py`;
}

export function initText(spec: InitSpec): string {
  const lines = ['"""A schema package."""'];
  if (spec.migration !== undefined)
    lines.push(`_migration = ${spec.migration === null ? "None" : `"${spec.migration}"`}`);
  if (spec.version !== undefined) lines.push(`__version__ = "${spec.version}"`);
  if (spec.schemaId !== undefined) lines.push(`_schema_id = "${spec.schemaId}"`);
  return lines.join("\n") + "\n";
}

/** A linear chain of n scripts with 12-hex revisions; the first `released` of them released in `version`s. */
export function chain(
  n: number,
  opts: { released?: number; versions?: (i: number) => string; date?: string } = {},
): ScriptSpec[] {
  const released = opts.released ?? 0;
  const revs = Array.from({ length: n }, (_, i) => createHash("sha1").update(`rev-${i}`).digest("hex").slice(0, 12));
  return revs.map((revision, i) => ({
    revision,
    down: i === 0 ? null : revs[i - 1]!,
    slug: i < released ? `v${(opts.versions?.(i) ?? `0.${i + 1}.0`).replace(/\./g, "_")}` : "vx_x_x",
    date: opts.date ?? `2023-02-${String(10 + (i % 18)).padStart(2, "0")}`,
  }));
}

/** The head of a linear list of script specs (the one no other names as parent). */
export function headOf(scripts: ScriptSpec[]): string | null {
  const parents = new Set(scripts.flatMap((s) => (s.down === null ? [] : Array.isArray(s.down) ? s.down : [s.down])));
  const heads = scripts.filter((s) => !parents.has(s.revision));
  return heads.length ? heads[heads.length - 1]!.revision : null;
}

export function makeSchemaRepo(spec: RepoSpec = {}): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-repo-"));
  const pkg = spec.package ?? "lnschema_demo";
  const scripts = spec.scripts ?? [];
  const write = (rel: string, content: string | Buffer) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  };
  const git = gitIn(dir);
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "Test");
  git("config", "commit.gpgsign", "false");
  mkdirSync(join(dir, pkg, "migrations", "versions"), { recursive: true });
  write(`${pkg}/migrations/versions/.gitkeep`, "");
  if (spec.init !== null) {
    const init = spec.init ?? { version: "0.1.0", migration: headOf(scripts) };
    write(`${pkg}/__init__.py`, typeof init === "string" || Buffer.isBuffer(init) ? init : initText(init));
  }
  for (const s of scripts) write(`${pkg}/migrations/versions/${scriptFileName(s)}`, s.raw ?? scriptText(s));
  for (const [rel, content] of Object.entries(spec.files ?? {})) write(rel, content);
  if (spec.commit ?? true) {
    git("add", "-A");
    git("commit", "-q", "-m", "feat: schema package");
    // The release this commit is (`v0.2.0`): "released scripts never change" then has a tag to compare with.
    if (spec.tag) git("tag", spec.tag);
  }
  const snapshot = () => {
    const out = new Map<string, string>();
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        if (e === ".git") continue;
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
      }
    };
    walk(dir);
    return out;
  };
  return {
    dir,
    pkg,
    path: (rel) => join(dir, rel),
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    write,
    git,
    snapshot,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
