import { redact, redactText } from '../core/redact.js';
import type { Finding } from '../core/types.js';

/** The secret as a report may show it: redacted unless the user asked with --show-secrets. */
export function shownSecret(f: Finding, showSecrets: boolean): string {
  return showSecrets ? f.secret : redact(f.secret);
}

/**
 * Any other text a report prints that the scan did not choose — an author or committer name and
 * email, a ref or tag name, a note: a token pasted there is cut like a secret.
 */
export function shownText(text: string, showSecrets: boolean): string {
  return showSecrets ? text : redactText(text);
}

/**
 * A path as git prints it when it must (core.quotePath): quoted with C escapes when it holds a
 * control character, so a file named with a newline cannot forge a line of the report.
 * Non-ASCII stays readable.
 */
export function shownPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(path)) return path;
  const esc: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
  // eslint-disable-next-line no-control-regex
  return `"${path.replace(/[\x00-\x1f\x7f"\\]/g, (c) => esc[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

/**
 * A line of free text (a rule's fix, a note) kept on one line: a control character that reached
 * it anyway is shown escaped, so nothing it quotes can start a line of its own.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`));
}
