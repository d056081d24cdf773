// Progress of long steps (docs/spec.md §2: "long steps show progress on a terminal and stay quiet in CI
// logs"): one live line on stderr — the step, its count, its elapsed time — redrawn in place while a person
// watches (stderr a terminal, CI unset), nothing at all otherwise. One per process: a command turns it on
// for its context, the stages report their steps without knowing whether anyone sees them.
import type { Context } from "./context.js";

const REDRAW_MS = 250;
const CLEAR = "\r\x1b[K";

interface Live {
  stream: NodeJS.WritableStream;
  label: string;
  since: number;
  timer: NodeJS.Timeout;
}

let target: NodeJS.WritableStream | undefined;
let live: Live | undefined;

/** The text of the live line. Pure. */
export function progressLine(label: string, elapsedMs: number, count?: { done: number; total: number }): string {
  const n = count ? ` ${count.done}/${count.total}` : "";
  return `migrakit: ${label}${n} … ${(elapsedMs / 1000).toFixed(1)} s`;
}

/** Show progress for this command when a person is watching (see Context.interactive). */
export function startProgress(ctx: Pick<Context, "interactive" | "stderr">): void {
  target = ctx.interactive ? ctx.stderr : undefined;
}

/** A new step (a new count restarts nothing but the text; a new label restarts the clock). */
export function progress(label: string, count?: { done: number; total: number }): void {
  if (!target) return;
  const stream = target;
  const since = live && live.label === label ? live.since : Date.now();
  if (live) clearInterval(live.timer);
  const draw = () => stream.write(CLEAR + progressLine(label, Date.now() - since, count));
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  live = { stream, label, since, timer };
  draw();
}

/** Before other output on `stream`: wipe the live line (the next redraw puts it back below that output). */
export function clearLine(stream: NodeJS.WritableStream): void {
  if (live && live.stream === stream) live.stream.write(CLEAR);
}

/** The step is over: the live line goes away until the next one. */
export function clearProgress(): void {
  if (!live) return;
  clearInterval(live.timer);
  live.stream.write(CLEAR);
  live = undefined;
}

/** The command is done: no more lines. */
export function endProgress(): void {
  clearProgress();
  target = undefined;
}
