import { show, type Catalogue } from "../catalogue.js";

// Postgres: the scratch server (embedded or a URL) and real instances.
export const databaseCodes = {
  EMIGRAKIT_LOCKED: {
    exit: 4,
    title: "Another migrakit run holds the lock",
    message: (d) => `Another migrakit run holds ${show(d.lock)}.`,
    fix: () => "Wait for it to finish and run again; if no other run exists, the lock is freed when its process ends.",
  },
} satisfies Catalogue;
