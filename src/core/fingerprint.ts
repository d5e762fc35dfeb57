import { createHash } from 'node:crypto';

/**
 * A finding's identity across edits: rule, secret and path, never a line number, so moving a
 * line keeps it and a different secret on the same line is new. 128 bits of SHA-256, hex.
 */
export function fingerprint(ruleId: string, secret: string, path: string): string {
  return createHash('sha256').update(`${ruleId}\0${secret}\0${path}`).digest('hex').slice(0, 32);
}

/** A short identity of a secret alone, safe to print and paste (remediation, tickets). */
export function secretId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

