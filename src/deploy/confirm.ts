// The operator's confirmation on a terminal: "Deploy N scripts (vA → vB) to host/db? [y/N]".
// Only y/yes confirms; anything else, an empty line or a closed input declines.
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

export function confirmQuestion(count: number, step: string, target: string): string {
  return `Deploy ${count} script${count === 1 ? "" : "s"} (${step}) to ${target}? [y/N] `;
}

export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

export function ask(question: string, io: { input: Readable; output: Writable }): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: false });
    let answered = false;
    io.output.write(question);
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      resolve(isYes(line));
    });
    rl.once("close", () => {
      if (!answered) resolve(false);
    });
  });
}
