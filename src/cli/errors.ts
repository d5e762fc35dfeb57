/**
 * Typed errors, mapped to exit codes in one place. Every one of them is exit 2: the scan did not
 * read what it was asked to, so it must not look like a pass. Messages never carry file content.
 */
export class SecretGuardError extends Error {
  readonly exitCode = 2;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments. */
export class UsageError extends SecretGuardError {}
/** A config file that cannot be read or does not validate. */
export class ConfigError extends SecretGuardError {}
/** git missing, not a repository, a git command that failed. */
export class GitError extends SecretGuardError {}
/** Something the scan should have read and could not. */
export class IncompleteScanError extends SecretGuardError {}

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

const UUID_ANYWHERE = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;
const TOKEN_RUN = /[A-Za-z0-9_-]{24,}/g;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

const BASE64_RUN = /[A-Za-z0-9+/]{48,}={0,2}/g;
const UUID_EXACT = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\n?$/;

/** Two of lower case, upper case and digits, with many distinct characters (the SMTP rule's test). */
const mixed = (m: string) => [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(m)).length >= 2 && new Set(m).size >= 12;

/**
 * Random key material: upper and lower case and digits; an SMTP secret key's 36 characters with
 * any two of those (about 1 in 450 random keys has no digit); long hex that is not an object id.
 */
const keyLike = (m: string) =>
  (/[0-9]/.test(m) && /[a-z]/.test(m) && /[A-Z]/.test(m)) || (m.length === 36 && mixed(m)) || (/^[0-9a-fA-F]{32,}$/.test(m) && !OBJECT_ID.test(m));

/** A base64 run that decodes to a UUID: a token as a Kubernetes Secret stores it. */
const encodedToken = (m: string) => UUID_EXACT.test(Buffer.from(m, 'base64').toString('latin1'));

/**
 * Error messages echo what they were given (a flag's value, a path, a range, a config key), and
 * a user can give a secret by mistake: `--range $TOKEN..HEAD`, a token pasted as a config key.
 * Anything shaped like a credential is cut to its first four characters, as reports do: a UUID
 * wherever it sits (also after `--`, and inside a longer word), and any long run of key
 * characters that looks random (SMTP secret keys, a UUID yargs camel-cased), and base64 that
 * decodes to a token. Commit and object
 * ids stay whole, and so do long names made of words (`2024-05-01-release-notes-v2`): messages
 * about files and git need them.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(BASE64_RUN, (m) => (encodedToken(m) ? `${m.slice(0, 4)}…` : m))
    .replace(UUID_ANYWHERE, (m) => `${m.slice(0, 4)}…`)
    .replace(TOKEN_RUN, (m) => (keyLike(m) ? `${m.slice(0, 4)}…` : m));
}

export function describeError(err: unknown): string {
  if (err instanceof SecretGuardError) return redactSecrets(`secret-guard: ${err.message}${err.hint ? `\n${err.hint}` : ''}\n`);
  // Unknown failures: name and message only. A stack trace or an error's own fields might quote
  // the text being scanned, and that text may be a secret.
  const e = err instanceof Error ? err : new Error(String(err));
  return `secret-guard: internal error (${e.name}): ${redactSecrets(e.message)}\nThis is a bug; the scan did not complete. Please report it.\n`;
}
