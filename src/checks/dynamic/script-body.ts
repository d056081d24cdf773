// A migration function's body as the checks need it — the `def` line to point a finding at, and whether
// the body does nothing — from the one reader of Python text (src/model/python-functions.ts). Pure.
import { findFunction, isEmptyBody } from "../../model/python-functions.js";

/** 1-based line of the module-level `def name`, or null when the script has none. */
export function functionLine(text: string, name: string): number | null {
  return findFunction(text, name)?.line ?? null;
}

/** True when `def name` does nothing: only `pass` (or `...`, or nothing but a docstring). */
export function isEmptyFunction(text: string, name: string): boolean {
  const fn = findFunction(text, name);
  return fn !== null && isEmptyBody(text, fn);
}
