/**
 * The paths file for `git filter-repo --invert-paths --paths-from-file`: each committed secrets
 * file, removed from every commit.
 *
 * filter-repo reads each line with its trailing CR/LF stripped, skips blank lines and lines
 * starting with `#`, treats a line holding `==>` as a RENAME (split at the last `==>`), and reads
 * a `regex:`, `glob:` or `literal:` prefix (default literal; a literal matches the file or a
 * directory of that name). So a plain path is written as it is; a path starting with `#` or a
 * prefix word gets `literal:`; a path holding `==>` or a line break (git allows both) cannot be a
 * literal line at all and is written as an anchored regex (`re.search` on bytes, hence `^…$`).
 *
 * filter-repo matches the path's bytes. A name that is not UTF-8 (`caf\xe9/.env`) reaches us in
 * its escaped form (`caf\351/.env`, sources/git.ts pathFromBytes), which matches no file: the
 * file written is bytes, each path as pathToBytes gives it back.
 */
import { pathToBytes } from '../sources/git.js';
import { escapeRegex, PREFIXED } from './replacements.js';

export function pathLine(path: string): string {
  if (path.includes('==>') || /[\r\n]/.test(path)) return `regex:^${escapeRegex(path)}$`;
  if (path.startsWith('#') || PREFIXED.test(path)) return `literal:${path}`;
  return path;
}

/** The paths file as filter-repo reads it: each path's own bytes (a name that is not UTF-8 included). */
export function pathsFileBytes(paths: string[]): Buffer {
  const unique = [...new Set(paths)].sort();
  // Each byte as one latin-1 character through pathLine: the line's bytes are the name's, and
  // escapeRegex leaves bytes above 0x7f as they are (a literal in a bytes regex).
  return Buffer.concat(unique.map((p) => Buffer.from(`${pathLine(pathToBytes(p).toString('latin1'))}\n`, 'latin1')));
}
