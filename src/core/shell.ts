/**
 * A word as a POSIX shell reads it back unchanged, for the commands secret-guard suggests
 * (`git rm --cached -- PATH`, the remediation plan). A file name is data a committer chose: left
 * bare, `$(…)` in it would run when the line is pasted, and a newline would forge a line of the
 * report. Safe words stay bare; others are single-quoted; a word holding a control character is
 * written with ANSI-C quoting (`$'a\nb'`: bash, zsh, ksh and POSIX.1-2024 sh), so the printed
 * command is still one line.
 */
const ESC: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', "'": "\\'", '\\': '\\\\' };

export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  // eslint-disable-next-line no-control-regex
  return `$'${word.replace(/[\x00-\x1f\x7f'\\]/g, (c) => ESC[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}'`;
}
