/**
 * Whether a path lies inside a folder, one home for every layer (the config's search, a range's
 * config path, where reports and remediation files go, which index a library call reads).
 */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Whether `path` is `dir` or below it (both absolute, compared as written: resolve links first
 * where they matter). A name that only begins with two dots (`..cache`) is inside.
 */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
