/**
 * The one redaction of secret-guard: what every output (reports, errors, remediation files and
 * plan) shows in place of a secret. A known secret is cut to its first four characters; so is
 * any token-shaped value in free text that reaches an output — an author or committer name, a
 * ref or tag name, the server Name Postmark returned, an error excerpt, a value in the config —
 * since a user can paste a token anywhere, and a name is as printed as a secret is.
 */
import { decodedUuid } from './placeholder.js';
import { UUID_EXACT } from './shapes.js';

/** The only way a secret is printed without --show-secrets: its first 4 characters and an ellipsis. */
export function redact(secret: string): string {
  if (secret === '') return '';
  return `${secret.slice(0, 4)}…`;
}

const UUID_ANYWHERE = new RegExp(UUID_EXACT.source.slice(1, -1), 'g');
const TOKEN_RUN = /[A-Za-z0-9_-]{24,}/g;
const BASE64_RUN = /[A-Za-z0-9+/]{48,}={0,2}/g;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Two of lower case, upper case and digits, with many distinct characters (the SMTP rule's test). */
const mixed = (m: string) => [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(m)).length >= 2 && new Set(m).size >= 12;

/**
 * Random key material: upper and lower case and digits; an SMTP secret key's 36 characters with
 * any two of those (about 1 in 450 random keys has no digit); long hex that is not an object id.
 * No placeholder judgement here: in free text, cutting a stand-in costs nothing.
 */
const keyLike = (m: string) =>
  (/[0-9]/.test(m) && /[a-z]/.test(m) && /[A-Z]/.test(m)) || (m.length === 36 && mixed(m)) || (/^[0-9a-fA-F]{32,}$/.test(m) && !OBJECT_ID.test(m));

/**
 * Free text with every token-shaped value cut as `redact` cuts a secret: a UUID wherever it sits
 * (inside a longer word, a ref name, after `--`), a long run of key characters that looks random
 * (SMTP keys, a UUID yargs camel-cased), base64 that decodes to a token, and each of `known`
 * (the secrets a command found) wherever it occurs. Commit and object ids stay whole, and so do
 * long names made of words (`2024-05-01-release-notes-v2`): messages about files and git need them.
 */
export function redactText(text: string, known: readonly string[] = []): string {
  return redactKnown(text, known)
    .replace(BASE64_RUN, (m) => (decodedUuid(m) !== null ? redact(m) : m))
    .replace(UUID_ANYWHERE, redact)
    .replace(TOKEN_RUN, (m) => (keyLike(m) ? redact(m) : m));
}

/**
 * Only the given secrets cut, wherever they occur: for text made of parts already redacted field
 * by field, where the rest (paths, commands) must stay exactly as written.
 */
export function redactKnown(text: string, known: readonly string[]): string {
  let out = text;
  for (const s of known) if (s.length > 8 && out.includes(s)) out = out.split(s).join(redact(s));
  return out;
}
