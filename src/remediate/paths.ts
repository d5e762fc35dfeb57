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
 */
import { escapeRegex, PREFIXED } from './replacements.js';

export function pathLine(path: string): string {
  if (path.includes('==>') || /[\r\n]/.test(path)) return `regex:^${escapeRegex(path)}$`;
  if (path.startsWith('#') || PREFIXED.test(path)) return `literal:${path}`;
  return path;
}

export function pathsFile(paths: string[]): string {
  const unique = [...new Set(paths)].sort();
  return unique.length ? `${unique.map(pathLine).join('\n')}\n` : '';
}
