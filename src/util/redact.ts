// Secrets in database URLs are never printed: every message that can hold a URL goes through here.

const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]*)@/gi;
const PASSWORD_PARAM = /([?&](?:password|sslpassword)=)[^&\s]*/gi;
const KEYWORD_PASSWORD = /\b(password\s*=\s*)('[^']*'|\S+)/gi;

/** Replace the password of every URL (and every `password=` parameter) in a text with `***`. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_WITH_PASSWORD, "$1:***@")
    .replace(PASSWORD_PARAM, "$1***")
    .replace(KEYWORD_PASSWORD, "$1***");
}

/** A URL fit for display: no password, no password parameter. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}
