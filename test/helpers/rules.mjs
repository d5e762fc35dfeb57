/**
 * The shipped rules as written: rules/*.yml, sorted by file name, each parsed. One loader for the
 * build (scripts/build-rules.mjs compiles them into dist/rules.json) and for the tests that run
 * the engine on the sources rather than on the build. Plain JavaScript, so the build can import
 * it; types in rules.d.mts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export function ruleFiles(dir = RULES_DIR) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((file) => ({ file, spec: parse(readFileSync(join(dir, file), 'utf8')) }));
}

export function ruleSpecs(dir = RULES_DIR) {
  return ruleFiles(dir).map((r) => r.spec);
}
