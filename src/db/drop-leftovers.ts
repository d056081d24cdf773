// Run as a child process by cleanup.ts when its parent is dying: reads [{name, adminUrl}] as JSON on
// stdin and drops those databases. Not imported by anything.
import { withClient } from "./connect.js";
import { dropOwnDatabase } from "./drop.js";
import type { Leftover } from "./cleanup.js";

async function main(): Promise<void> {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const items = JSON.parse(input) as Leftover[];
  await Promise.all(
    items.map((item) =>
      withClient(item.adminUrl, (client) => dropOwnDatabase(client, item.name), { timeoutMs: 5_000 }).catch(() => {}),
    ),
  );
}

await main();
