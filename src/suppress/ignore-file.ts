/**
 * `.secret-guard-ignore`: one fingerprint per line, `#` comments, an optional trailing `# reason`.
 * Fingerprints hash rule, secret and path, so an entry silences exactly one leak wherever the line
 * moves, and a different secret on the same line is still reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../cli/errors.js';

export const IGNORE_FILE = '.secret-guard-ignore';
export const FINGERPRINT = /^[0-9a-f]{32}$/;

export function readIgnoreFile(root: string): Set<string> {
  const file = join(root, IGNORE_FILE);
  const out = new Set<string>();
  if (!existsSync(file)) return out;
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      if (!FINGERPRINT.test(line)) throw new ConfigError(`${file}:${i + 1}: \`${line.slice(0, 40)}\` is not a fingerprint (32 hex characters, as printed by --format json)`);
      out.add(line);
    });
  return out;
}
