// The psql command of the connection fix lines (src/db/psql-command.ts), pure: flags from the URL's parts, the
// password never, each word as the shell reads it back (checked by the shell itself, echoing the words).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { psqlCommand } from "../../src/db/psql-command.js";

/** The words a POSIX shell makes of `cmd` (with `psql` replaced by printf, one word a line). */
const words = (cmd: string) =>
  execFileSync("sh", ["-c", cmd.replace(/\bpsql\b/, "printf '%s\\n'")], { encoding: "utf8" })
    .trimEnd()
    .split("\n");

test("psqlCommand: a raw password never appears; user, host, port and database survive the shell", () => {
  const cmd = psqlCommand("postgresql://ann's:k3Jx+9/a@Q w==@db.example.com:6432/my%20db")!;
  assert.ok(!cmd.includes("k3Jx"), cmd);
  assert.deepEqual(words(cmd), ["-h", "db.example.com", "-p", "6432", "-U", "ann's", "-d", "my db"]);
});

test("psqlCommand: IPv6 brackets dropped, a socket folder from ?host=, sslmode as PGSSLMODE, another database", () => {
  assert.deepEqual(words(psqlCommand("postgresql://u:p@[::1]:5433/x")!), [
    "-h",
    "::1",
    "-p",
    "5433",
    "-U",
    "u",
    "-d",
    "x",
  ]);
  assert.deepEqual(words(psqlCommand("postgresql://u@/x?host=%2Fvar%2Frun%2Fpostgresql")!), [
    "-h",
    "/var/run/postgresql",
    "-U",
    "u",
    "-d",
    "x",
  ]);
  assert.equal(
    psqlCommand("postgresql://u:p@h/x?sslmode=require", "postgres"),
    "PGSSLMODE=require psql -h h -U u -d postgres",
  );
  assert.equal(psqlCommand("not a url"), undefined);
});
