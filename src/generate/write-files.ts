// Writing a plan's files into a folder (the working tree for `migrakit generate`/`rebase`, the staged
// snapshot for the hook). New files are created with their folders; nothing else is touched.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FileWrite } from "./generate.js";

export function writeFiles(root: string, writes: FileWrite[]): void {
  for (const w of writes) {
    const path = join(root, w.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, w.content);
  }
}
