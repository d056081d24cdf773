// The wire format (pure): one JSON object per line. Requests {id, method, params}; responses
// {id, result} or {id, error}. The Python side is python/migrakit_bridge/server.py.
import type { PythonFrame, RemoteError } from "./contract.js";

export type Response = { id: number | null; result: unknown } | { id: number | null; error: RemoteError };

export function encodeRequest(id: number, method: string, params: object): string {
  return JSON.stringify({ id, method, params }) + "\n";
}

/** A response line, or a string saying why the line is not one. */
export function parseResponse(line: string): Response | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const o = value as Record<string, unknown>;
  if (!("id" in o) || (o.id !== null && typeof o.id !== "number")) return "no numeric id";
  if ("result" in o) return { id: o.id as number | null, result: o.result };
  const e = o.error as Record<string, unknown> | undefined;
  if (typeof e === "object" && e !== null && typeof e.type === "string" && typeof e.message === "string") {
    return {
      id: o.id as number | null,
      error: {
        type: e.type,
        message: e.message,
        traceback: typeof e.traceback === "string" ? e.traceback : "",
        category: typeof e.category === "string" ? e.category : "error",
        frames: Array.isArray(e.frames) ? e.frames.flatMap(frameOf) : [],
        ...(typeof e.module === "string" ? { module: e.module } : {}),
      },
    };
  }
  return "neither a result nor an error";
}

/** A frame of an error answer, or none when it is not one (an older helper's answer has no frames). */
function frameOf(f: unknown): PythonFrame[] {
  if (typeof f !== "object" || f === null) return [];
  const o = f as Record<string, unknown>;
  if (typeof o.file !== "string" || typeof o.line !== "number") return [];
  const fn = typeof o.function === "string" ? o.function : null;
  return [{ file: o.file, line: o.line, function: fn, code: typeof o.code === "string" ? o.code : "" }];
}

/** Splits a byte stream into lines; a partial line waits for the rest. */
export class LineSplitter {
  private rest = "";

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split("\n");
    this.rest = lines.pop()!;
    return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l)).filter((l) => l.trim() !== "");
  }

  /** What is left when the stream ends (a last line without a newline). */
  end(): string[] {
    const last = this.rest;
    this.rest = "";
    return last.trim() ? [last] : [];
  }
}
