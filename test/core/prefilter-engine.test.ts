/**
 * The engine's prefilters change no finding: the shipped rules (and custom rules with awkward
 * keywords) give the same findings with every prefilter as with none, on documents built from
 * the rules' own examples, cut into lines and mixed, with their case and blanks changed. The
 * engine without prefilters is the same engine loaded again with prefilter.ts answering "no
 * literal, no split, no last character" and each keyword looked up by its own `i` search.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RuleSpec } from '../../src/core/types.js';
import { seeded, type Random } from '../helpers/random.js';
import { ruleSpecs } from '../helpers/rules.mjs';

type Engine = typeof import('../../src/core/engine.js');
type Prefilter = typeof import('../../src/core/prefilter.js');

async function engines(): Promise<{ fast: Engine; plain: Engine }> {
  const fast = await import('../../src/core/engine.js');
  vi.resetModules();
  vi.doMock('../../src/core/prefilter.js', async () => {
    const actual = await vi.importActual<Prefilter>('../../src/core/prefilter.js');
    class PlainSet {
      readonly size: number;
      constructor(private readonly literals: Iterable<string>) {
        this.size = [...literals].length;
      }
      positionsIn(text: string): Map<string, number> {
        const at = new Map<string, number>();
        for (const l of this.literals) {
          const p = text.search(new RegExp(actual.escapeLiteral(l), 'i'));
          if (p !== -1) at.set(l, p);
        }
        return at;
      }
    }
    return {
      ...actual,
      literalKey: (l: string) => l,
      LiteralSet: PlainSet,
      requiredLiteral: () => null,
      requiredLiterals: () => [],
      requiredChoices: () => null,
      lastCharsOf: () => null,
      alternativesOf: (s: string) => [s],
    };
  });
  const plain = await import('../../src/core/engine.js');
  vi.doUnmock('../../src/core/prefilter.js');
  vi.resetModules();
  return { fast, plain };
}

const examples = ruleSpecs().flatMap((r: RuleSpec) => [...r.examples, ...r.negativeExamples].map((e) => (typeof e === 'string' ? { text: e, path: 'a.txt' } : { text: e.text, path: e.path ?? 'a.txt' })));
const lines = examples.flatMap((e) => e.text.split('\n'));

/** A document of example lines, some of them with their case flipped or blanks swapped for Unicode ones. */
function document(r: Random): { text: string; path: string } {
  const base = r.pick(examples);
  const out = base.text.split('\n');
  for (let i = r.int(4); i > 0; i--) out.splice(r.int(out.length + 1), 0, r.pick(lines));
  const mutated = out.map((l) => {
    if (r.chance(0.15)) l = l.toUpperCase();
    if (r.chance(0.15)) l = l.toLowerCase();
    if (r.chance(0.1)) l = l.replace(/ /g, () => r.pick([' ', '\u00a0', '\t', '\u2028', '\ufeff', '']));
    if (r.chance(0.1)) l = l.replace(/[=:,]\s*/, (m) => m + r.pick(['', ' ', '\u00a0', ' || ', ', ']));
    return l;
  });
  // Some documents long enough to take the literal search past its short-text path.
  if (r.chance(0.15)) mutated.push('~'.repeat(16_500));
  return { text: mutated.join(r.pick(['\n', '\n', '\r\n'])), path: r.chance(0.8) ? base.path : r.pick(examples).path };
}

describe('the engine with and without prefilters', () => {
  it('gives the same findings with the shipped rules on mixed example documents', async () => {
    const { fast, plain } = await engines();
    const specs = ruleSpecs();
    const fastRules = fast.compileRules(specs);
    const plainRules = plain.compileRules(specs);
    // The plain engine is really without prefilters: no context needs a literal.
    expect(fastRules.some((rule) => rule.contexts.some((c) => c.need.length > 0))).toBe(true);
    expect(plainRules.every((rule) => rule.contexts.every((c) => c.need.length === 0))).toBe(true);
    const r = seeded(505);
    let found = 0;
    for (let n = 0; n < 1500; n++) {
      const doc = document(r);
      const a = fast.detect(doc, fastRules);
      const b = plain.detect(doc, plainRules);
      found += b.length;
      expect(a, JSON.stringify(doc)).toEqual(b);
    }
    expect(found).toBeGreaterThan(300);
  });

  it('runs a custom rule exactly where one of its keywords, searched on its own, is found', async () => {
    const { fast } = await engines();
    const custom = (id: string, keywords?: string[]): RuleSpec => ({
      id, title: id, description: 'd', fix: 'f', severity: 'error', keywords, secret: 'tok_[0-9a-f]{8}', contexts: [{}], tags: ['custom'], examples: [], negativeExamples: [],
    });
    const keywordSets = [['\u0130zmir'], ['\u212aey', 'kk'], ['\u03c3\u03c3'], ['stra\u00dfe', 'STRASSE'], ['izmir', 'key']];
    const words = ['\u0130ZMIR', 'izmir', '\u0130zmir', 'key', '\u212aEY', 'KK', '\u03c3\u03c2', '\u03a3\u03a3', 'STRA\u00dfE', 'strasse', ' ', '=', 'tok_0123abcd', '\n'];
    const r = seeded(606);
    for (const keywords of keywordSets) {
      const gated = [fast.compileRule(custom('c', keywords))];
      const ungated = [fast.compileRule(custom('c'))];
      for (let n = 0; n < 200; n++) {
        let text = '';
        for (let i = r.int(8) + 1; i > 0; i--) text += r.pick(words);
        const found = keywords.some((k) => new RegExp(k, 'i').test(text));
        expect(fast.detect({ text, path: 'a.txt' }, gated), `${JSON.stringify(keywords)} on ${JSON.stringify(text)}`).toEqual(found ? fast.detect({ text, path: 'a.txt' }, ungated) : []);
      }
    }
  });
});
