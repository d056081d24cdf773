// How fast is the scratch Postgres? Cold init+start, start on an existing data folder, warm reuse (in
// process and as a fresh node process, what a warm `migrakit check` pays), scratch create/drop and
// template clone. Run: npx tsc -p . && node dist/bench/postgres-start.js
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withClient } from "../src/db/connect.js";
import { ensureEmbeddedServer, stopEmbeddedServer } from "../src/db/embedded.js";
import { createScratchDatabase } from "../src/db/scratch.js";
import { cloneTemplate, createTemplateFrom, pruneTemplates } from "../src/db/templates.js";

const env = { ...process.env, CI: "" };
const ROUNDS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const base = await mkdtemp(join(tmpdir(), "migrakit-bench-"));
await chmod(base, 0o755);
const dataDir = join(base, "pg");
try {
  const [cold] = await time(() => ensureEmbeddedServer({ env, dataDir }));
  const [stopMs] = await time(() => stopEmbeddedServer({ env, dataDir }));
  const [restart, server] = await time(() => ensureEmbeddedServer({ env, dataDir }));

  const warm: number[] = [];
  for (let i = 0; i < ROUNDS; i++) warm.push((await time(() => ensureEmbeddedServer({ env, dataDir })))[0]);

  // A whole node process that finds the server and connects: the floor of a warm check.
  const module = fileURLToPath(new URL("../src/db/embedded.js", import.meta.url));
  const processMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(module)}); await m.ensureEmbeddedServer({ env: process.env, dataDir: ${JSON.stringify(dataDir)} });`,
      ],
      { env },
    );
    processMs.push(performance.now() - t);
  }

  const create: number[] = [];
  const drop: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [c, db] = await time(() => createScratchDatabase(server.adminUrl));
    const [d] = await time(() => db.drop());
    create.push(c);
    drop.push(d);
  }

  // A baseline with 20 tables, indexes and foreign keys, made a template, then cloned.
  const built = await createScratchDatabase(server.adminUrl);
  await withClient(built.url, async (c) => {
    await c.query("CREATE SCHEMA core");
    for (let i = 0; i < 20; i++) {
      await c.query(
        `CREATE TABLE core.t${i} (id serial PRIMARY KEY, name text NOT NULL, ref int${i ? ` REFERENCES core.t${i - 1}(id)` : ""})`,
      );
      await c.query(`CREATE INDEX ix_t${i}_name ON core.t${i} (name)`);
    }
  });
  await createTemplateFrom(server.adminUrl, built.name, "bench_0000");
  const clone: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [c, db] = await time(() => cloneTemplate(server.adminUrl, "bench_0000"));
    clone.push(c);
    await db.drop();
  }
  await pruneTemplates(server.adminUrl, { keep: 0 });

  console.log(
    JSON.stringify(
      {
        coldInitAndStartMs: Math.round(cold),
        stopMs: Math.round(stopMs),
        startExistingDataDirMs: Math.round(restart),
        warmReuseInProcessMedianMs: median(warm),
        warmReuseFreshNodeProcessMedianMs: median(processMs),
        createScratchMedianMs: median(create),
        dropScratchMedianMs: median(drop),
        cloneTemplate20TablesMedianMs: median(clone),
      },
      null,
      2,
    ),
  );
} finally {
  await stopEmbeddedServer({ env, dataDir });
  await rm(base, { recursive: true, force: true });
}
