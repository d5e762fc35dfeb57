/**
 * C-style escapes for text that reaches one line of output: a control character is written as
 * `\n`, `\t`, `\r` or a three-digit octal escape, as git's core.quotePath and the shell's ANSI-C
 * quoting both write it, so a file name or a note with a newline cannot forge a line. The one
 * home of that escaping: paths in reports (report/shown.ts), free text on one line, and shell
 * words in suggested commands (core/shell.ts).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

const patterns = new Map<string, RegExp>();

export const hasControl = (text: string): boolean => CONTROL.test(text);

/**
 * `text` with every control character escaped, and each of `specials` (the quote that will
 * surround it, and the backslash) escaped with a backslash.
 */
export function escapeControls(text: string, specials = ''): string {
  let re = patterns.get(specials);
  if (!re) patterns.set(specials, (re = new RegExp(`[\\x00-\\x1f\\x7f${specials.replace(/[\\\]^-]/g, '\\$&')}]`, 'g')));
  return text.replace(re, (c) => NAMED[c] ?? (specials.includes(c) ? `\\${c}` : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`));
}
