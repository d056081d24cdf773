import { show, type Catalogue } from "../catalogue.js";

// The release step: versions, renames, the semantic-release plugin.
export const releaseCodes = {
  EMIGRAKIT_VERSION_UNMAPPABLE: {
    exit: 2,
    title: "A release version has no PEP 440 form",
    message: (d) => `Version "${show(d.version)}" cannot be written as a PEP 440 version.`,
    fix: () => "Use pre-release channels named rc, alpha, beta or dev (1.2.0-rc.3), or configure `prereleaseMap`.",
  },
} satisfies Catalogue;
