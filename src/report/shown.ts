import { redact } from '../core/fingerprint.js';
import type { Finding } from '../core/types.js';

/** The secret as a report may show it: redacted unless the user asked with --show-secrets. */
export function shownSecret(f: Finding, showSecrets: boolean): string {
  return showSecrets ? f.secret : redact(f.secret);
}
