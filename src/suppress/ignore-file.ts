/**
 * `.secret-guard-ignore`: one fingerprint per line, `#` comments, an optional trailing `# reason`.
 * Fingerprints hash rule, secret and path, so an entry silences exactly one leak wherever the line
 * moves, and a different secret on the same line is still reported.
 */
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { readSettingsFile } from '../config/settings-file.js';
import { shownPath } from '../report/shown.js';

export const IGNORE_FILE = '.secret-guard-ignore';
export const FINGERPRINT = /^[0-9a-f]{32}$/;

/** The fingerprints in an ignore file's text; `shown` names it in errors, which never quote a line. */
export function parseIgnoreFile(text: string, shown: string): Set<string> {
  const out = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    if (!FINGERPRINT.test(line)) throw new ConfigError(`${shown}:${i + 1}: not a fingerprint (32 hex characters, as printed by --format json)`);
    out.add(line);
  });
  return out;
}

export function readIgnoreFile(root: string): Set<string> {
  const file = join(root, IGNORE_FILE);
  const text = readSettingsFile(file, 'ignore file');
  return text === null ? new Set() : parseIgnoreFile(text, shownPath(file));
}
