// Finds the configuration (docs/spec.md §3: first found wins — package.json "migrakit", migrakit.config.{json,js,mjs},
// pyproject.toml [tool.migrakit]) and resolves it. Throws every problem at once.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MigrakitError, throwAll } from "../errors/index.js";
import { resolveConfig } from "./resolve.js";
import type { Config } from "./schema.js";

export interface LoadedConfig extends Config {
  /** Where the settings came from (a file name, or null for all defaults). */
  source: string | null;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "EISDIR")
      return undefined;
    throw e;
  }
}

function parseError(file: string, e: unknown): MigrakitError {
  return new MigrakitError("EMIGRAKIT_CONFIG_PARSE", { file, reason: (e as Error).message.split("\n")[0] });
}

const ownValue = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** The raw settings object and its source, or undefined when no source exists. */
async function findRaw(cwd: string): Promise<{ raw: unknown; source: string } | undefined> {
  const pkgText = await readText(join(cwd, "package.json"));
  if (pkgText !== undefined) {
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(pkgText);
    } catch (e) {
      throw parseError("package.json", e);
    }
    if (pkg && typeof pkg === "object" && Object.hasOwn(pkg, "migrakit"))
      return { raw: pkg.migrakit, source: 'package.json "migrakit"' };
  }
  const jsonText = await readText(join(cwd, "migrakit.config.json"));
  if (jsonText !== undefined) {
    try {
      return { raw: JSON.parse(jsonText), source: "migrakit.config.json" };
    } catch (e) {
      throw parseError("migrakit.config.json", e);
    }
  }
  for (const name of ["migrakit.config.js", "migrakit.config.mjs"]) {
    if ((await readText(join(cwd, name))) === undefined) continue;
    try {
      const mod = await import(pathToFileURL(join(cwd, name)).href);
      return { raw: mod.default ?? mod, source: name };
    } catch (e) {
      throw parseError(name, e);
    }
  }
  const tomlText = await readText(join(cwd, "pyproject.toml"));
  // TOML spells one table many ways ([tool.migrakit], [tool.migrakit.orm], [tool] + migrakit.baseline = …,
  // quoted or spaced keys, inline tables), so the parsed document decides, never a pattern over the text. The
  // one shortcut: a file that does not mention "migrakit" cannot hold the table (a key spelled with TOML
  // escapes is the exception we accept), and most pyproject files have nothing for us.
  if (tomlText?.includes("migrakit")) {
    const { parse } = await import("smol-toml");
    let doc: Record<string, unknown>;
    try {
      doc = parse(tomlText) as Record<string, unknown>;
    } catch (e) {
      throw parseError("pyproject.toml", e);
    }
    const tool = ownValue(doc, "tool");
    if (tool && typeof tool === "object" && Object.hasOwn(tool, "migrakit")) {
      return { raw: ownValue(tool as Record<string, unknown>, "migrakit"), source: "pyproject.toml [tool.migrakit]" };
    }
  }
  return undefined;
}

export async function loadConfig({ cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): Promise<LoadedConfig> {
  const found = await findRaw(cwd);
  const { config, errors } = resolveConfig(found?.raw, found?.source ?? "defaults", env);
  throwAll(errors);
  return { ...config, source: found?.source ?? null };
}
