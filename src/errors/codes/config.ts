import { show, type Catalogue } from "../catalogue.js";

export const configCodes = {
  EMIGRAKIT_CONFIG_PARSE: {
    exit: 2,
    title: "The configuration file cannot be read",
    message: (d) => `${show(d.file)} cannot be parsed: ${show(d.reason)}`,
    fix: (d) => `Fix the syntax of ${show(d.file)} (see docs/configuration.md for the accepted keys).`,
  },
  EMIGRAKIT_CONFIG_UNKNOWN_KEY: {
    exit: 2,
    title: "Unknown configuration key",
    message: (d) => `${show(d.source)}: unknown key \`${show(d.key)}\`.`,
    fix: (d) =>
      `Remove it or use one of: ${show(d.known)}${d.suggestion ? ` (did you mean \`${show(d.suggestion)}\`?)` : ""}.`,
  },
  EMIGRAKIT_CONFIG_INVALID: {
    exit: 2,
    title: "Invalid configuration value",
    message: (d) => `${show(d.source)}: \`${show(d.key)}\` is ${show(d.value)}, but it must be ${show(d.expected)}.`,
    fix: (d) => `Set \`${show(d.key)}\` to ${show(d.expected)}, or remove it to use the default.`,
  },
} satisfies Catalogue;
