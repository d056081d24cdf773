// A new script's name under the `alembic` convention: file_template formatted as alembic formats it. The
// reference is the real thing: `alembic revision -m MSG` in a scratch script folder (both stacks' alembic),
// with the same template, message and creation time (read back from the script's `Create Date:` line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FileTemplateError,
  pythonFormat,
  scriptFileName,
  slugOf,
  templateTime,
  type TemplateTime,
} from "../../src/model/file-template.js";
import { parseAlembicIni } from "../../src/model/alembic-ini.js";
import { testPythons } from "../helpers/python.js";

const TIME: TemplateTime = { year: 2024, month: 3, day: 7, hour: 9, minute: 5, second: 2, epoch: 1709802302 };

test("slug: the message's words joined by _, lower case, cut back to a word at truncate_slug_length", () => {
  assert.equal(slugOf("Add user.email column!"), "add_user_email_column");
  assert.equal(slugOf(undefined), "");
  assert.equal(slugOf("Ünïcode wörds ok"), "ünïcode_wörds_ok");
  assert.equal(slugOf("one two three four", 10), "one_two_");
  assert.equal(slugOf("abcdefghijklmnop", 5), "abcde_");
});

test("Python % formatting: widths, zero padding, precision of numbers and text, %%", () => {
  assert.equal(pythonFormat("%(month).2d|%(month)02d|%(month)3d|%(month)-3d|", { month: 3 }), "03|03|  3|3  |");
  assert.equal(pythonFormat("%(rev).4s_%(rev)s %%", { rev: "abcdef" }), "abcd_abcdef %");
  assert.throws(() => pythonFormat("%(nope)s", { rev: "a" }), FileTemplateError);
  assert.throws(() => pythonFormat("%(rev)d", { rev: "a" }), FileTemplateError);
  assert.equal(
    scriptFileName("%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s", {
      revision: "1a2b",
      message: "x y",
      time: TIME,
    }),
    "20240307_1a2b_x_y.py",
  );
});

test("templateTime: local parts by default, a named zone's parts when the ini sets timezone", () => {
  const now = new Date(Date.UTC(2024, 0, 31, 23, 30, 15));
  const utc = templateTime(now, "UTC");
  assert.deepEqual(utc, { year: 2024, month: 1, day: 31, hour: 23, minute: 30, second: 15, epoch: 1706743815 });
  const tokyo = templateTime(now, "Asia/Tokyo");
  assert.deepEqual([tokyo.month, tokyo.day, tokyo.hour], [2, 1, 8]);
  const local = templateTime(now);
  assert.equal(local.hour, now.getHours());
});

/** `alembic revision -m message` with this [alembic] section; its file name and the time it used. */
function alembicRevision(python: string, lines: string[], message: string): { file: string; time: TemplateTime } {
  const dir = mkdtempSync(join(tmpdir(), "migrakit-template-"));
  try {
    mkdirSync(join(dir, "scripts", "versions"), { recursive: true });
    writeFileSync(
      join(dir, "scripts", "script.py.mako"),
      '"""${message}\n\nRevision ID: ${up_revision}\nCreate Date: ${create_date}\n"""\nrevision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n',
    );
    writeFileSync(
      join(dir, "alembic.ini"),
      ["[alembic]", "script_location = %(here)s/scripts", ...lines, ""].join("\n"),
    );
    execFileSync(python, ["-m", "alembic", "revision", "--rev-id", "0123456789ab", "-m", message], {
      cwd: dir,
      stdio: "pipe",
    });
    const [file] = readdirSync(join(dir, "scripts", "versions")).filter((f) => f.endsWith(".py"));
    const text = readFileSync(join(dir, "scripts", "versions", file!), "utf8");
    // `2024-03-07 09:05:02.123456` (local) or `…+09:00` (a timezone was set): back to the instant.
    const m = /Create Date: (\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(?:\.(\d+))?(\+\d\d:\d\d|-\d\d:\d\d)?/.exec(text)!;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const ms = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000);
    const instant = m[8]
      ? new Date(`${m.slice(1, 4).join("-")}T${m.slice(4, 7).join(":")}.${String(ms).padStart(3, "0")}${m[8]}`)
      : new Date(y, mo - 1, d, h, mi, s, ms);
    const zone = lines
      .find((l) => l.startsWith("timezone"))
      ?.split("=")[1]
      ?.trim();
    return { file: file!, time: templateTime(instant, zone) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES: { lines: string[]; message: string }[] = [
  { lines: [], message: "add the user table" },
  { lines: ["file_template = %%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"], message: "Add user.email!" },
  {
    lines: [
      "file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d%%(second).2d-%%(rev)s_%%(slug)s",
    ],
    message: "a message long enough to be cut at the slug length alembic uses",
  },
  {
    lines: ["file_template = %%(epoch)s_%%(rev)s_%%(slug)s", "truncate_slug_length = 12"],
    message: "several words here",
  },
  { lines: ["file_template = %%(rev).4s-%%(slug)s", "timezone = Asia/Tokyo"], message: "Ünïcode wörds" },
];

test("the name migrakit computes is the one `alembic revision` writes for the same template (both stacks)", () => {
  for (const { name, python } of testPythons()) {
    for (const c of CASES) {
      // alembic 1.9 (the legacy stack) needs python-dateutil for `timezone`, which that stack does not have.
      if (name === "legacy" && c.lines.some((l) => l.startsWith("timezone"))) continue;
      const got = alembicRevision(python, c.lines, c.message);
      const settings = parseAlembicIni(["[alembic]", "script_location = scripts", ...c.lines].join("\n"), ".")!;
      const ours = scriptFileName(settings.fileTemplate, {
        revision: "0123456789ab",
        message: c.message,
        time: got.time,
        truncateSlugLength: settings.truncateSlugLength,
      });
      assert.equal(ours, got.file, `${name}: ${c.lines.join("; ") || "default template"}`);
    }
  }
});
