/**
 * A word as a POSIX shell reads it back unchanged, for the commands secret-guard suggests
 * (`git rm --cached -- PATH`, the remediation plan). A file name is data a committer chose: left
 * bare, `$(…)` in it would run when the line is pasted, and a newline would forge a line of the
 * report. Safe words stay bare; others are single-quoted; a word holding a control character is
 * written with ANSI-C quoting (`$'a\nb'`: bash, zsh, ksh and POSIX.1-2024 sh), so the printed
 * command is still one line.
 */
import { escapeControls, hasControl } from './escape.js';

export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  if (!hasControl(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  return `$'${escapeControls(word, "'\\")}'`;
}
