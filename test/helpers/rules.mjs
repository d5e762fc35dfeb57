/**
 * The shipped rules as written: rules/*.yml, sorted by file name, each parsed. One loader for the
 * build (scripts/build-rules.mjs compiles them into dist/rules.json) and for the tests that run
 * the engine on the sources rather than on the build. Plain JavaScript, so the build can import
 * it; types in rules.d.mts. Named pattern pieces (rules/fragments/) are expanded here, so the
 * build and the tests see the same patterns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export function ruleFiles(dir = RULES_DIR) {
  const pieces = fragments(dir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((file) => ({ file, spec: expand(parse(readFileSync(join(dir, file), 'utf8')), pieces, file) }));
}

/** The named pattern pieces of `dir`/fragments/*.yml (see rules/fragments/postmark.yml). */
function fragments(dir) {
  const at = join(dir, 'fragments');
  if (!existsSync(at)) return {};
  return Object.assign({}, ...readdirSync(at).filter((f) => f.endsWith('.yml')).sort().map((f) => parse(readFileSync(join(at, f), 'utf8'))));
}

/**
 * Every `(?&name)` in a rule's patterns replaced by its piece; examples stay as written. A piece
 * with no top-level `|` goes in as written, so the engine's prefilter still reads its literals
 * (src/core/prefilter.ts stops at a group); one with a top-level `|` goes in as `(?:piece)`.
 */
function expand(value, pieces, file, key = '') {
  if (typeof value === 'string') {
    return value.replace(/\(\?&([\w-]+)\)/g, (_, name) => {
      const piece = pieces[name];
      if (typeof piece !== 'string') throw new Error(`rules/${file}: (?&${name}) names no piece in rules/fragments/`);
      return topLevelAlternation(piece) ? `(?:${piece})` : piece;
    });
  }
  if (Array.isArray(value)) return key === 'examples' || key === 'negativeExamples' ? value : value.map((v) => expand(v, pieces, file));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, pieces, file, k)]));
  return value;
}

export function ruleSpecs(dir = RULES_DIR) {
  return ruleFiles(dir).map((r) => r.spec);
}

function topLevelAlternation(source) {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
