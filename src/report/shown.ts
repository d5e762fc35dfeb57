import { escapeControls, hasControl } from '../core/escape.js';
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
  return hasControl(path) ? `"${escapeControls(path, '"\\')}"` : path;
}

/**
 * A line of free text (a rule's fix, a note) kept on one line: a control character that reached
 * it anyway is shown escaped, so nothing it quotes can start a line of its own.
 */
export function oneLine(text: string): string {
  return escapeControls(text);
}
