// The last lines of a server log, for an error message that has to fit on one line. Pure.

export function logTail(text: string, lines = 5): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(" | ");
}
