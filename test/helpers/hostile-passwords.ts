// The passwords users paste raw into a database URL (issue 16 item 3), one table for every test of them:
// test/cli/passwords.test.ts (never printed) and test/cli/password-connect.test.ts (and yet they log in).

/** Every hostile character of a URL's userinfo (`/ @ : % # ? space`, unicode) in one password. */
export const ALL_IN_ONE = "a/b@c:d%e#f?g h✓";
/** No password at all: a role with PASSWORD NULL, which cannot log in. */
export const EMPTY = "";

/** Each hostile character on its own (base64 is the common case), then all of them in one, then none. */
export const HOSTILE_PASSWORDS: readonly string[] = [
  "k3Jx+9/aQw==",
  "p@ss@word",
  "a:b:c:d",
  "100%sure",
  "hash#tag",
  "what?now",
  "two words",
  "pässwörd✓",
  ALL_IN_ONE,
  EMPTY,
];

/** The password as SQL for `CREATE ROLE … PASSWORD x`: a quoted literal, or NULL for the empty one. */
export const passwordSql = (pw: string): string => (pw ? `'${pw.replace(/'/g, "''")}'` : "NULL");
