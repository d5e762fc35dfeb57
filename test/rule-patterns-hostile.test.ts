/**
 * Every shipped rule against hostile single lines built from its own material: its keywords and
 * the literal words of its context patterns, the separators config and code put between a key and
 * a value, the secrets of its own examples and near misses of them (one character short, one
 * character off the alphabet). Lines of several hundred kB go through the pure engine with all
 * rules loaded, as a scan runs them. A pattern or scan that is superlinear on such a line takes
 * minutes, so the per-input budget is generous (the machine running the suite may be loaded)
 * while still far below what catastrophic backtracking costs.
 *
 * The rules are the built ones (dist/rules.json, what the CLI ships), read generically: a new rule
 * is covered without editing this file. After each hostile line the rule's first example follows,
 * and it must still be found: a scan that gave up on the long line would pass the clock and fail here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules, detect } from '../src/core/engine.js';
import type { ExampleSpec, RuleSpec } from '../src/core/types.js';
import { exampleOf } from '../src/rules/lint.js';
import { runSeed, seeded, type Random } from './helpers/random.js';

const BUILT = new URL('../dist/rules.json', import.meta.url);
const specs = JSON.parse(readFileSync(BUILT, 'utf8')) as RuleSpec[];
const rules = compileRules(specs);
const contentSpecs = specs.filter((s) => s.secret);

/** Characters per hostile line. */
const SIZE = 300_000;
/**
 * Per input, in milliseconds. A linear scan of SIZE takes about half a second on an idle machine
 * and two under heavy load; a quadratic pattern takes tens of seconds.
 */
const BUDGET_MS = 10_000;

const SEPARATORS = ['=', ':', ': ', ' = ', '"', "'", '`', ' ', '\t', '(', ')', '[', ']', '{', '}', ',', '=>', ':=', '="', ": '", '://', '@', '-', '_', '.', '/', '\\', '<', '>', ';', '|', '$', '#'];

/** The literal words a pattern can only match with: `postmark`, `x-postmark-server-token`, `smtp.postmarkapp.com`. */
function literalsOf(source: string): string[] {
  const words = source
    .replace(/\[(?:\\.|[^\]\\])*\]/g, ' ')
    .replace(/\{\d+(?:,\d*)?\}/g, ' ')
    .replace(/\(\?(?:<?[=!]|:|<\w+>)/g, ' ')
    .replace(/\\[wWsSdDbBnrtk]/g, ' ')
    .replace(/\\(.)/g, '$1')
    .split(/[\s()|?*+^$]+/);
  return words.filter((w) => w.length >= 2);
}

function patternsOf(spec: RuleSpec): string[] {
  return (spec.contexts ?? []).flatMap((c) => [c.key, c.scope, c.call, c.before, c.after, c.file, c.path].filter((p): p is string => p !== undefined));
}

/** The secrets the rule reports in its own examples. */
function secretsOf(spec: RuleSpec): string[] {
  const found = new Set<string>();
  for (const e of spec.examples) {
    const ex = exampleOf(e, 'example.txt');
    for (const f of detect({ text: ex.text, path: ex.path }, rules)) if (f.ruleId === spec.id && f.secret) found.add(f.secret);
  }
  return [...found];
}

/** One character short, one too many, and one character replaced by one outside every shape's alphabet. */
function nearMisses(secret: string): string[] {
  const mid = secret.length >> 1;
  return [secret.slice(0, -1), secret.slice(1), `${secret}0`, `${secret.slice(0, mid)}g${secret.slice(mid + 1)}`, `${secret.slice(0, -1)}!`, secret.replace(/-/g, '_')];
}

/** Concatenates `next()` until the line is SIZE long. */
function line(next: () => string): string {
  const parts: string[] = [];
  let n = 0;
  while (n < SIZE) {
    const p = next();
    parts.push(p);
    n += p.length;
  }
  return parts.join('');
}

interface Hostile {
  name: string;
  text: string;
}

function hostileLines(spec: RuleSpec, rnd: Random): Hostile[] {
  const literals = [...new Set([...(spec.keywords ?? []), ...patternsOf(spec).flatMap(literalsOf)])];
  const secrets = secretsOf(spec);
  const misses = secrets.flatMap(nearMisses);
  const secret = secrets[0]!;
  const keyword = spec.keywords?.[0] ?? literals[0]!;
  const out: Hostile[] = [
    // Everything mixed: keys, separators, candidates and near misses, in no order.
    { name: 'soup', text: line(() => rnd.pick([...literals, ...SEPARATORS, ...SEPARATORS, ...secrets, ...misses])) },
    // key, separator, near miss, separator: a long line of almost-assignments.
    { name: 'near-miss assignments', text: line(() => `${rnd.pick(literals)}${rnd.pick(SEPARATORS)}${rnd.pick(misses)}${rnd.pick(SEPARATORS)}`) },
    // Every candidate a real one, each with a key of the rule before it.
    { name: 'dense candidates', text: line(() => `${rnd.pick(literals)}${rnd.pick(SEPARATORS)}${rnd.pick(secrets)}${rnd.pick(SEPARATORS)}`) },
    // The literal words glued together (postmarkpostmark…, x-postmark-server-tokenx-postmark…).
    { name: 'glued literals', text: `${line(() => rnd.pick(literals))}${secret}` },
    // One enormous key-like word (letters and the separators of dotted and snake paths) before `=`.
    { name: 'key-like chain', text: `${line(() => `${rnd.pick(literals)}${rnd.pick(['_', '.', '-', '__', '->', ':'])}`)}=${secret}` },
    // Unclosed and unbalanced brackets and quotes, deeply nested.
    { name: 'open brackets', text: `${keyword} ${line(() => rnd.pick(['(', '[', '{', '"', "'", '{"a":', '(x,', '[1,']))}${secret}` },
  ];
  // One separator run, then a candidate after it.
  for (const sep of ['=', ':', ' ', '"', '(', '{', ',', '\\']) {
    out.push({ name: `run of ${JSON.stringify(sep)}`, text: `${keyword} ${sep.repeat(SIZE)}${secret}` });
  }
  for (const lit of literals.slice(0, 8)) {
    out.push({ name: `run of ${JSON.stringify(lit)}`, text: `${`${lit}=`.repeat(Math.ceil(SIZE / (lit.length + 1)))}${secret}` });
  }
  return out;
}

const seed = runSeed();
const slowest = { name: '', size: 0, ms: 0 };
afterAll(() => {
  console.log(`rule-patterns-hostile (seed ${seed}): slowest ${slowest.name}, ${slowest.size} chars, ${slowest.ms.toFixed(0)} ms`);
});

describe('rule patterns on hostile lines', () => {
  it('cover every content rule that is built', () => {
    expect(contentSpecs.length).toBeGreaterThanOrEqual(4);
    for (const spec of contentSpecs) expect(secretsOf(spec), spec.id).not.toEqual([]);
  });

  for (const spec of contentSpecs) {
    it(`${spec.id}: each hostile line is scanned within ${BUDGET_MS} ms and the example after it is still found`, () => {
      const rnd = seeded(seed);
      const example = exampleOf(spec.examples[0] as string | ExampleSpec, 'example.txt');
      const wanted = example.text.split('\n').length;
      for (const h of hostileLines(spec, rnd)) {
        const text = `${h.text}\n\n${example.text}`;
        const t0 = performance.now();
        const found = detect({ text, path: example.path }, rules);
        const ms = performance.now() - t0;
        if (ms > slowest.ms) Object.assign(slowest, { name: `${spec.id} / ${h.name}`, size: text.length, ms });
        const where = `${spec.id} / ${h.name} (seed ${seed})`;
        expect(ms, where).toBeLessThan(BUDGET_MS);
        // The example sits on lines 3.. after the hostile line and a blank one.
        const own = found.filter((f) => f.ruleId === spec.id && f.line >= 3 && f.line < 3 + wanted);
        expect(own.length, where).toBeGreaterThan(0);
      }
    });
  }
});
