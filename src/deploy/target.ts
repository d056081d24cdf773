// How an instance is named in messages and prompts: `user@host:port/database`, built from the URL's parts
// (util/redact.ts) so that no password (nor a password= parameter) can ever be part of it, however raw the
// password was pasted. Pure.
import { describeUrl } from "../util/redact.js";

export function describeTarget(url: string): string {
  return describeUrl(url);
}
