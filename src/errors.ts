/**
 * Typed errors, mapped to exit codes in one place. Every one of them is exit 2: the scan did not
 * read what it was asked to, so it must not look like a pass. Messages never carry file content.
 */
export class SecretGuardError extends Error {
  readonly exitCode = 2;
  /** What to do, printed after the message; redacted as the message is (describeError, and index.ts for the library). */
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    if (hint !== undefined) this.hint = hint;
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

/**
 * Error messages echo what they were given (a flag's value, a path, a range, a config key), and
 * a user can give a secret by mistake: `--range $TOKEN..HEAD`, a token pasted as a config key.
 * They pass the one redaction every output passes (src/core/redact.ts).
 */
export { redactText as redactSecrets } from './core/redact.js';
import { redactText as redactSecrets } from './core/redact.js';

export function describeError(err: unknown): string {
  if (err instanceof SecretGuardError) return redactSecrets(`secret-guard: ${err.message}${err.hint ? `\n${err.hint}` : ''}\n`);
  // Unknown failures: name and message only. A stack trace or an error's own fields might quote
  // the text being scanned, and that text may be a secret.
  const e = err instanceof Error ? err : new Error(String(err));
  return `secret-guard: internal error (${e.name}): ${redactSecrets(e.message)}\nThis is a bug; the scan did not complete. Please report it.\n`;
}
