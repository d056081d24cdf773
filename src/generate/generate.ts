// `generate` (docs/spec.md §2): the operations that bring the database at head to the ORM, as the unreleased
// script. Plan only: it returns the files to write (the script, `_migration` in __init__.py) and leaves
// writing them to the caller — the working tree for `migrakit generate`, the index and the working tree
// for the pre-commit hook.
//   no unreleased script  → a new `{today}-{rev}-vx_x_x.py` on the head, `_migration` = rev (convention
//                           alembic: named by the ini's file_template, `_migration` only where the package has
//                           one, and "unreleased" means not committed yet: src/generate/pending.ts);
//   a machine-owned one   → its bodies refreshed against the database at its parent;
//   one edited by a person→ kept; what it still lacks is returned as the `op.*` lines to add;
//   no difference         → nothing.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { opsBlock } from "../checks/dynamic/models-match.js";
import type { PackageParams } from "../checks/dynamic/port.js";
import { parentOf, planChain, revisionOf, type ChainPlan } from "../checks/dynamic/chain-plan.js";
import { MigrakitError } from "../errors/index.js";
import { generatedDrops, type GeneratedDrop } from "../lint/generated.js";
import { setInitValue } from "../model/init-file.js";
import { headNamed } from "../model/graph.js";
import type { SchemaRepo, ScriptFile } from "../model/repo.js";
import { formatScriptName, UNRELEASED_SLUG } from "../model/script-name.js";
import { DEFAULT_FILE_TEMPLATE } from "../model/alembic-ini.js";
import { FileTemplateError, scriptFileName, templateTime } from "../model/file-template.js";
import { backfillNote, columnName, mergeBackfills, recordedBackfills, type Backfill } from "./backfill.js";
import { generateOps } from "./bridge-calls.js";
import type { Diff, GenerateAnswer, PredatingRequest } from "../bridge/contract.js";
import { databaseAt, type DatabaseAt } from "./database.js";
import { defaultMessage } from "./default-message.js";
import {
  describeRename,
  planRenames,
  renameOption,
  renameReason,
  type Ambiguity,
  type Rename,
  type RenameRequest,
} from "./renames.js";
import {
  bodies,
  finishNewScript,
  forTemplate,
  neededImports,
  ownership,
  recordedRenames,
  replaceBodies,
  ensureImports,
  type Ownership,
} from "./script-text.js";
import type { Session } from "./session.js";

export interface FileWrite {
  /** Relative to the repo root, `/`-separated. */
  path: string;
  content: string;
  /** The change to make to another copy of the file (the working tree's, when it differs from the index). */
  transform?: (text: string) => string;
  created: boolean;
}

export interface GenerateOptions {
  /** Import the package from here (an export of the git index): set by the hook. */
  importRoot?: string;
  explicit?: RenameRequest[];
  /** false: --no-renames. */
  detect?: boolean;
  message?: string;
  /** --backfill: the value existing rows get in a NOT NULL column added without a server default. */
  backfill?: Backfill[];
  /** YYYY-MM-DD for a new script's name (default: today, UTC). */
  today?: string;
  /** The creation time of a new script named by a file_template (convention alembic; default: now). */
  now?: Date;
  /** `--head` / config `generateHead`: the branch label (or head revision) a new script goes on, for labelled branches. */
  head?: string;
  newRevision?: () => string;
  /**
   * The ORM as committed at HEAD (src/generate/predating.ts): the differences it has already stay out of the
   * script and are reported apart. Undefined: every difference goes in (no HEAD, or --include-drift).
   */
  predating?: PredatingRequest;
  /**
   * The hook: HEAD's ORM with its drift cached (predating.ts stagedHead, drift-cache.ts), instead of `predating`.
   * A cached answer of no drift sends no comparison of HEAD; any other is compared as `predating` is.
   */
  headDrift?: HeadDrift;
}

export interface HeadDrift {
  /** The drift remembered for HEAD's ORM against the database of this key (database.ts keyAt), if any. */
  known(databaseKey: string): Promise<Diff[] | undefined>;
  /** HEAD's ORM for the bridge to compare. */
  request(): Promise<PredatingRequest>;
}

/** The differences left out of the script because they were there before the change (docs/spec.md §2). */
export interface Predating {
  predating: Diff[];
  /** HEAD's ORM could not be compared (it does not import): nothing was left out. */
  predatingFailed?: string;
}

export interface StatedRename {
  rename: Rename;
  /** As `--rename` spells it (`core.transform.version=v`). */
  option: string;
  reason: string;
  /** For people: `column core.transform.version → v (same type VARCHAR, …)`. */
  text: string;
}

export type GenerateOutcome =
  | ({ kind: "nothing"; reason: string; leftSchemas?: boolean } & Partial<Predating>)
  | ({
      kind: "written";
      created: boolean;
      file: string;
      revision: string;
      writes: FileWrite[];
      renames: StatedRename[];
      changed: boolean;
      fillIns: string[];
      drops?: GeneratedDrop[];
      /** The database compared against had tables in schemas the ORM no longer names (schema.py "left"). */
      leftSchemas?: boolean;
    } & Partial<Predating>)
  | { kind: "edited"; file: string; ownership: Ownership; upgrade: string; downgrade: string; imports: string[] }
  | { kind: "ambiguous"; ambiguous: Ambiguity[]; renames: StatedRename[] };

export const newRevision = () => randomBytes(6).toString("hex");
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * The chain generate works on, or the error saying why there is none (two heads: rebase, or alembic's merge).
 * With labelled branches (convention alembic) its `head` is the branch the new script goes on: `head` names it
 * (a label or the head's revision). Which branch a change belongs to is not guessed: the models carry no
 * branch, and a wrong guess puts the script where no deploy of that branch expects it.
 */
export function chainOf(repo: SchemaRepo, head?: string): ChainPlan {
  const plan = planChain(repo);
  if (plan && plan.heads.length > 1) {
    const chosen = head === undefined ? undefined : headNamed(repo.graph, head);
    if (chosen) return { ...plan, head: chosen };
    const labels = plan.heads.map((h) => `${(repo.graph.headLabels.get(h) ?? []).join("/")} (${h})`).join(", ");
    const first = repo.graph.headLabels.get(plan.heads[0]!)?.[0] ?? plan.heads[0]!;
    throw new MigrakitError("EMIGRAKIT_GENERATE_BRANCH", { package: repo.package, labels, given: head, first });
  }
  if (plan) return plan;
  const heads = repo.graph.heads;
  if (heads.length > 1)
    throw new MigrakitError("EMIGRAKIT_GENERATE_HEADS", {
      package: repo.package,
      heads: heads.join(", "),
      convention: repo.convention,
    });
  throw new MigrakitError("EMIGRAKIT_GENERATE_CHAIN", { package: repo.package });
}

function stated(renames: Rename[], diffs: GenerateAnswer["diffs"]): StatedRename[] {
  return renames.map((r) => {
    const reason = renameReason(r, diffs);
    return {
      rename: r,
      option: renameOption({ ...r, table: r.kind === "column" ? r.table : undefined }),
      reason,
      text: describeRename(r, reason),
    };
  });
}

/**
 * Compare, then pair renames on the diffs and have them applied. The database is only read in between, so
 * the second request passes the comparison the bridge kept (generate.py): it applies and renders, without
 * comparing the ORM with the database a second time.
 */
async function opsWithRenames(
  s: Session,
  params: PackageParams & { url: string; backfill: Backfill[]; predating?: PredatingRequest },
  o: { explicit: RenameRequest[]; recorded: RenameRequest[]; detect: boolean },
) {
  let answer = await generateOps(s.bridge, { ...params, renames: [] });
  const plan = planRenames(answer.diffs, o);
  if (plan.unmatched.length)
    throw new MigrakitError("EMIGRAKIT_RENAME_NOT_FOUND", { renames: plan.unmatched.map((r) => r.text).join(", ") });
  if (plan.renames.length)
    answer = {
      ...(await generateOps(s.bridge, { ...params, renames: plan.renames, comparison: answer.comparison })),
      diffs: answer.diffs,
    };
  return { answer, plan };
}

/** The notes stated at the top of upgrade(): each rename and each backfill used, as a re-readable comment. */
function notes(renames: StatedRename[], detect: boolean, answer?: GenerateAnswer, backfill: Backfill[] = []): string[] {
  const out = renames.map((r) => `migrakit: rename ${r.option} (${r.reason})`);
  const used = new Set((answer?.backfills ?? []).filter((f) => !f.fill_in).map(columnName));
  out.push(...backfill.filter((b) => used.has(columnName(b))).map(backfillNote));
  if (!detect) out.push("migrakit: no-renames (--no-renames: drops and adds were not paired)");
  return out;
}

function initWrite(repo: SchemaRepo, revision: string): FileWrite | undefined {
  const init = repo.init;
  // An app's repo needs no `_migration`; one it already has is kept in step all the same.
  if (repo.convention === "alembic" && !init?.parsed?.migration) return undefined;
  if (!init || init.text === null) throw new MigrakitError("EMIGRAKIT_GENERATE_NO_INIT", { package: repo.package });
  if (init.parsed?.migration?.value === revision) return undefined;
  const transform = (text: string) => setInitValue(text, "_migration", revision);
  return { path: init.path, content: transform(init.text), transform, created: false };
}

export async function generate(s: Session, repo: SchemaRepo, o: GenerateOptions = {}): Promise<GenerateOutcome> {
  const { outcome, baseline } = await keepingBaseline(s, repo, o, false);
  await baseline?.dispose();
  return outcome;
}

/**
 * `generate`, handing back the scratch database it compared against when that database is still the
 * untouched baseline (the new or refreshed script's parent is the baseline's start): the hook checks the
 * result on it instead of cloning the template a second time. The caller disposes it.
 */
export const generateKeepingBaseline = (s: Session, repo: SchemaRepo, o: GenerateOptions = {}) =>
  keepingBaseline(s, repo, o, true);

/** `handOver`: the baseline goes on to the check (its first fingerprint is read while Python compares). */
async function keepingBaseline(
  s: Session,
  repo: SchemaRepo,
  o: GenerateOptions,
  handOver: boolean,
): Promise<{ outcome: GenerateOutcome; baseline?: DatabaseAt; keyAt?: DatabaseAt["keyAt"] }> {
  let kept: DatabaseAt | undefined;
  let keyAt: DatabaseAt["keyAt"] | undefined;
  try {
    const outcome = await generatePlan(
      s,
      repo,
      o,
      (db) => (kept = db),
      (k) => (keyAt = k),
      handOver,
    );
    return { outcome, baseline: kept, keyAt };
  } catch (err) {
    await kept?.dispose().catch(() => {});
    throw err;
  }
}

async function generatePlan(
  s: Session,
  repo: SchemaRepo,
  o: GenerateOptions,
  keep: (db: DatabaseAt) => void,
  keyed: (keyAt: DatabaseAt["keyAt"]) => void,
  handOver: boolean,
): Promise<GenerateOutcome> {
  const plan = chainOf(repo, o.head);
  // Labelled branches: the new script goes on the chosen head, over a database at every head (so the other
  // branches' tables are not new). Refreshing a script in place is the linear history's (left out here).
  const target: ScriptFile | undefined = plan.heads.length > 1 ? undefined : plan.unreleased.at(-1);
  const owner = target ? ownership(target.text) : undefined;
  const recorded = target ? recordedRenames(target.text) : { renames: [], noRenames: false };
  const detect = o.detect !== false && !recorded.noRenames;
  const explicit = o.explicit ?? [];
  const backfill = mergeBackfills(o.backfill ?? [], target ? recordedBackfills(target.text) : []);

  // A script a person wrote or edited is never rewritten: compare against the database *with* it applied.
  if (target && owner !== "machine") {
    const db = await databaseAt(s, repo, plan, revisionOf(target), o.importRoot);
    try {
      const { answer, plan: rp } = await opsWithRenames(
        s,
        { ...db.params, url: db.url, backfill },
        { explicit, recorded: recorded.renames, detect },
      );
      if (rp.ambiguous.length)
        return { kind: "ambiguous", ambiguous: rp.ambiguous, renames: stated(rp.renames, answer.diffs) };
      if (answer.empty)
        return { kind: "nothing", reason: `${target.path} was written by hand and already matches the ORM` };
      const b = bodies({
        upgradeOps: answer.upgrade_ops,
        downgradeOps: answer.downgrade_ops,
        notes: notes(stated(rp.renames, answer.diffs), detect, answer, backfill),
      });
      // Whole lines: `import sqlmodel as sqm` does not bind `sqlmodel`, so a substring match would drop a needed import.
      const present = new Set(target.text.split(/\r?\n/).map((line) => line.trim()));
      const imports = neededImports(b, answer.imports).filter((l) => !present.has(l.trim()));
      return {
        kind: "edited",
        file: target.path,
        ownership: owner!,
        upgrade: b.upgrade.slice(1).join("\n"),
        downgrade: b.downgrade.join("\n"),
        imports,
      };
    } finally {
      await db.dispose();
    }
  }

  const parent = target ? parentOf(target) : plan.head;
  const upTo = parent === "base" ? null : parent;
  const db = await databaseAt(s, repo, plan, upTo, o.importRoot, handOver);
  keyed(db.keyAt);
  let answer: GenerateAnswer;
  let renames: StatedRename[];
  let kept = false;
  // A script refreshed: what HEAD's ORM already lacked is measured with that script applied (the database
  // at head), else the script's own committed content would count as drift and leave it.
  let atHead: DatabaseAt | undefined;
  try {
    let predating = o.predating;
    if (!predating && o.headDrift) {
      // HEAD's ORM against the database at head: no drift known for that pair leaves nothing to take out.
      const key = db.keyAt(plan, target ? revisionOf(target) : upTo);
      const known = key === undefined ? undefined : await o.headDrift.known(key);
      if (known?.length !== 0) predating = await o.headDrift.request();
    }
    if (predating && target) {
      atHead = await databaseAt(s, repo, plan, revisionOf(target), o.importRoot);
      predating = { ...predating, url: atHead.url };
    }
    const got = await opsWithRenames(
      s,
      { ...db.params, url: db.url, backfill, ...(predating ? { predating } : {}) },
      { explicit, recorded: recorded.renames, detect },
    );
    renames = stated(got.plan.renames, got.answer.diffs);
    if (got.plan.ambiguous.length) return { kind: "ambiguous", ambiguous: got.plan.ambiguous, renames };
    answer = got.answer;
    // The comparison only read the database (alembic's dont_mutate): still the baseline, reusable.
    if (db.untouched) {
      keep(db);
      kept = true;
    }
  } finally {
    if (!kept) await db.dispose();
    await atHead?.dispose();
  }
  const predated: Partial<Predating> =
    o.predating || o.headDrift
      ? {
          predating: answer.predating ?? [],
          ...(answer.predating_failed ? { predatingFailed: answer.predating_failed } : {}),
        }
      : {};
  const leftSchemas = answer.diffs.some((d) => (d as { left_schema?: boolean }).left_schema === true);

  if (!target && answer.empty)
    return {
      kind: "nothing",
      reason:
        plan.chain.length === 0 && !predated.predating?.length
          ? noTables(repo)
          : predated.predating?.length
            ? "nothing this change made differs from the database at head: no script written"
            : "the ORM matches the database at head: no script written",
      leftSchemas,
      ...predated,
    };
  const b = bodies({
    upgradeOps: answer.upgrade_ops,
    downgradeOps: answer.downgrade_ops,
    notes: notes(renames, detect, answer, backfill),
  });
  // The first script of the chain (new, or refreshed later: its parent is still the base) creates the schemas.
  if (upTo === null) b.upgrade.splice(1 + renames.length + (detect ? 0 : 1), 0, ...createSchemas(answer.diffs));
  const imports = neededImports(b, answer.imports);
  const fillIns = (answer.backfills ?? []).filter((f) => f.fill_in).map(columnName);

  if (target) {
    const content = ensureImports(replaceBodies(target.text, b), imports);
    const revision = revisionOf(target);
    const writes: FileWrite[] = [];
    if (content !== target.text) writes.push({ path: target.path, content, created: false });
    const init = initWrite(repo, revision);
    if (init) writes.push(init);
    return {
      kind: "written",
      created: false,
      file: target.path,
      revision,
      writes,
      renames,
      changed: writes.length > 0,
      fillIns,
      drops: generatedDrops(b.upgrade.join("\n")),
      leftSchemas,
      ...predated,
    };
  }

  const revision = (o.newRevision ?? newRevision)();
  const template = join(repo.root, repo.migrationsDir, "script.py.mako");
  const alembicNames = repo.convention === "alembic";
  // alembic's own docstring and slug carry the message: without -m, a few words on what changes.
  const message = alembicNames
    ? (o.message ??
      defaultMessage(
        answer.diffs,
        renames.map((r) => r.rename),
      ))
    : o.message;
  const rendered = await s.bridge.request("render_script", {
    template: existsSync(template) ? template : undefined,
    revision,
    down_revision: plan.head,
    message,
    upgrades: forTemplate(b.upgrade),
    downgrades: forTemplate(b.downgrade),
    imports: "",
  });
  const content = finishNewScript(rendered.text, { message, imports, header: !alembicNames });
  const file = `${repo.versionsDir}/${alembicNames ? alembicFileName(repo, revision, message!, o.now) : formatScriptName({ date: o.today ?? todayUtc(), revision, slug: UNRELEASED_SLUG })}`;
  const writes: FileWrite[] = [{ path: file, content, created: true }];
  const init = initWrite(repo, revision);
  if (init) writes.push(init);
  return {
    kind: "written",
    created: true,
    file,
    revision,
    writes,
    renames,
    changed: true,
    fillIns,
    drops: generatedDrops(b.upgrade.join("\n")),
    leftSchemas,
    ...predated,
  };
}

/** The new script's name as the repo's own `alembic revision` would write it (its file_template). */
function alembicFileName(repo: SchemaRepo, revision: string, message: string, now?: Date) {
  const settings = repo.alembic?.settings;
  const template = settings?.fileTemplate ?? DEFAULT_FILE_TEMPLATE;
  try {
    return scriptFileName(template, {
      revision,
      message,
      time: templateTime(now ?? new Date(), settings?.timezone),
      truncateSlugLength: settings?.truncateSlugLength,
    });
  } catch (err) {
    if (!(err instanceof FileTemplateError || err instanceof RangeError)) throw err;
    throw new MigrakitError("EMIGRAKIT_FILE_TEMPLATE_INVALID", {
      file: repo.alembic?.file ?? "alembic.ini",
      template,
      reason: err.message,
    });
  }
}

/**
 * The first script of a package creates the schemas its tables live in: alembic's autogenerate writes
 * `create_table(…, schema="core")` but never the schema, and a fresh instance has none. The downgrade leaves
 * them: a schema may hold what migrakit did not create (the version table, other packages' tables).
 */
/**
 * No scripts and nothing to create: the ORM, as env.py sees it after importing the package, has no tables. On a
 * new package that is mostly models defined in a module the package never imports (issue 17's walk), so say so.
 */
const noTables = (repo: SchemaRepo) =>
  `the ORM of ${repo.importName} has no tables yet: no script written (migrakit imports the package; does ${repo.init?.path ?? "its __init__.py"} import the modules that define them?)`;

export function createSchemas(diffs: GenerateAnswer["diffs"]): string[] {
  const schemas = new Set<string>();
  for (const d of diffs)
    if (d.kind === "add_table" && typeof d.schema === "string" && d.schema && d.schema !== "public")
      schemas.add(d.schema);
  return [...schemas]
    .sort()
    .map((name) => `op.execute('CREATE SCHEMA IF NOT EXISTS "${name.replace(/"/g, '""').replace(/'/g, "\\'")}"')`);
}

/** The `op.*` lines a hand-edited script still lacks, as a block to paste. */
export function missingBlock(o: Extract<GenerateOutcome, { kind: "edited" }>): string {
  return [
    ...(o.imports.length ? ["# at the top of the script:", ...o.imports, ""] : []),
    "# in upgrade():",
    opsBlock(o.upgrade),
    "",
    "# in downgrade():",
    opsBlock(o.downgrade),
  ].join("\n");
}
