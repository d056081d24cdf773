import { show, type Catalogue } from "../catalogue.js";

// The Python side: the user's interpreter, its packages, and the bridge process.
export const bridgeCodes = {
  EMIGRAKIT_PYTHON_NOT_FOUND: {
    exit: 3,
    title: "No Python interpreter",
    message: (d) => `No Python interpreter found (tried: ${show(d.tried)}).`,
    fix: () => "Install Python 3.8+, activate your virtualenv, or set MIGRAKIT_PYTHON / `python` in the configuration.",
  },
} satisfies Catalogue;
