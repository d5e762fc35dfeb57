/**
 * The prefilters are exact: on generated patterns and generated texts, each one rules out only
 * what the plain semantics (the pattern's own case-insensitive regex, one `i` search per literal)
 * rules out. The alphabets are small and adversarial: letters whose case folds leave ASCII or
 * change length (Kelvin sign, long s, dotted capital I, sharp s), Greek sigmas, regex
 * metacharacters, Unicode blanks; the patterns use escapes, classes with `|` and `]`, groups of
 * every kind and quantifiers that make atoms optional.
 */
import { describe, expect, it } from 'vitest';
import { compileRule, detect, lastNonBlank } from '../../src/core/engine.js';
import { alternativesOf, escapeLiteral, lastCharsOf, literalKey, LiteralSet, requiredChoices, requiredLiterals } from '../../src/core/prefilter.js';
import { seeded, type Random } from '../helpers/random.js';
import { TOKEN, testRule } from './spec.js';

const FOLDS = ['a', 'b', 'k', 'K', '\u212a', 's', 'S', '\u017f', 'i', 'I', '\u0130', '\u0131', '\u00df', '\u1e9e', '\u03c3', '\u03c2', '\u03a3', '\u00b5', '\u03bc'];
const TEXT = [...FOLDS, ',', '=', '$', '.', '|', '\\', ']', '(', ')', ' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', '\u0085', 'ab', 'abc', 'x'];

/** JSON with every non-ASCII character escaped, so a failure names the exact letters. */
const show = (v: unknown) => JSON.stringify(v).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** Padding no literal holds, long enough to take a text past LiteralSet's short-text path. */
const LONG = '~'.repeat(9000);
const containsI = (text: string, literal: string) => new RegExp(escapeLiteral(literal), 'i').test(text);

function text(r: Random, max = 7): string {
  let t = '';
  for (let i = r.int(max + 1); i > 0; i--) t += r.pick(TEXT);
  return t;
}

/** A random pattern (may not compile: callers skip those). */
function pattern(r: Random, depth = 0, names = { n: 0 }): string {
  const seq = () => {
    let s = '';
    for (let i = r.int(4) + (depth ? 0 : 1); i > 0; i--) s += atom();
    return s;
  };
  const atom = (): string => {
    let a: string;
    const k = r.int(10);
    if (k < 4) a = r.pick([...FOLDS, ',', '=', '.', 'ab', 'abc']);
    else if (k < 6)
      a = r.pick(['\\.', '\\$', '\\|', '\\]', '\\x61', '\\x2C', '\\u0061', '\\u212A', '\\cJ', '\\s', '\\d', '\\w', '\\S', '\\b', '\\B', '\\t', '\\141', '\\054', '\\0', '\\1', '\\k<n0>', '\\-', '\\ ']);
    else if (k < 8)
      a = r.pick(['[ab]', '[a|b]', '[\\]|]', '[|\\]]', '[^a]', '[ \\t]', '[,=]', '[$]', '[kK]', '[\u03c3]', '[\u212a]', '[]', '[^]', '[a-c]', '[\\x61]', '[\\s,]', '[)]', '[(|]']);
    else if (depth < 2) {
      const open = r.pick(['(', '(', '(?:', `(?<n${names.n++}>`, '(?=', '(?!', '(?<=', '(?<!']);
      const alts: string[] = [];
      for (let i = r.int(3) + 1; i > 0; i--) alts.push(r.chance(0.15) ? '' : pattern(r, depth + 1, names));
      a = `${open}${alts.join('|')})`;
    } else a = 'a';
    if (r.chance(0.35)) a += r.pick(['?', '*', '+', '{0,2}', '{1,2}', '{2}', '{00,1}', '{0}', '??', '+?', '{1,}', '*?']);
    return a;
  };
  if (depth) return seq();
  const alts: string[] = [seq()];
  while (r.chance(0.25)) alts.push(r.chance(0.1) ? '' : seq());
  return alts.join('|');
}

function compiles(source: string): RegExp | null {
  try {
    return new RegExp(source, 'i');
  } catch {
    return null;
  }
}

/** Generated patterns that compile, each with texts (some of them matches). */
function cases(seed: number, count: number, shape: (r: Random) => string = (r) => pattern(r)) {
  const r = seeded(seed);
  const out: Array<{ source: string; re: RegExp; texts: string[] }> = [];
  while (out.length < count) {
    const source = shape(r);
    const re = compiles(source);
    if (!re) continue;
    const texts = Array.from({ length: 40 }, () => text(r));
    out.push({ source, re, texts });
  }
  return out;
}

describe('LiteralSet, against one case-insensitive search per literal', () => {
  it('finds exactly the literals each search finds, on adversarial literals and texts', () => {
    const r = seeded(101);
    const wrong: string[] = [];
    for (let n = 0; n < 300; n++) {
      const literals = Array.from({ length: r.int(6) + 1 }, () => text(r, 3)).filter((l) => l !== '');
      const set = new LiteralSet(literals);
      for (let t = 0; t < 30; t++) {
        const s = text(r, 9);
        // As given (short: one search per literal) and padded past the short-text path (the alternations).
        for (const found of [set.presentIn(s), set.presentIn(LONG + s + LONG)]) {
          for (const l of literals) if (found.has(literalKey(l)) !== containsI(s, l)) wrong.push(`${show(l)} in ${show(s)} of ${show(literals)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keys a literal as given: folds that lower-casing does not preserve stay the search of the literal itself', () => {
    // /İ/i finds 'İ' but 'İ'.toLowerCase() is 'i̇' (two characters); /K/i (Kelvin) misses 'k'.
    for (const pad of ['', LONG]) {
      expect([...new LiteralSet(['\u0130d']).presentIn(pad + '\u0130D')]).toEqual(['\u0130d']);
      expect([...new LiteralSet(['\u212aey']).presentIn(pad + 'key')]).toEqual([]);
      // 'σ' and 'ς' are one letter to an `i` search: a hit of one is a hit of the other.
      expect([...new LiteralSet(['\u03c3', '\u03c2']).presentIn(pad + '\u03c3')].sort()).toEqual(['\u03c2', '\u03c3']);
      // V8 misreads this alternation (Kelvin sign first): /\u212a|kk|k/i does not match 'k'.
      expect([...new LiteralSet(['\u212a', 'kk', 'k']).presentIn(pad + 'k')]).toEqual(['k']);
      expect([...new LiteralSet(['\u017f', 'ss', 's']).presentIn(pad + 's')]).toEqual(['s']);
    }
  });

  it('gates a custom rule by its keywords as written (a keyword with a dotted capital I)', () => {
    const rule = compileRule(testRule({ id: 'custom', keywords: ['\u0130ZMIR_KEY'], secret: '[0-9a-f-]{36}', tags: ['custom'], contexts: [{}] }));
    expect(rule.keywords!.test(`\u0130ZMIR_KEY=${TOKEN}`)).toBe(true);
    expect(detect({ text: `\u0130ZMIR_KEY=${TOKEN}\n`, path: 'a.env' }, [rule])).toHaveLength(1);
    const kelvin = compileRule(testRule({ id: 'kelvin', keywords: ['\u212aey'], secret: '[0-9a-f-]{36}', tags: ['custom'], contexts: [{}] }));
    expect(detect({ text: `key=${TOKEN}\n`, path: 'a.env' }, [kelvin])).toEqual([]);
  });

  it('reads the keywords in a path one by one (a file named for its token, keywords V8 misreads as one alternation)', () => {
    const rule = compileRule(testRule({ id: 'mixed', keywords: ['\u212a', 'kk', 'k'], secret: '[0-9a-f-]{36}', tags: ['custom'], contexts: [{}] }));
    expect(rule.inKeywords!('secrets/k.txt')).toBe(true);
    expect(detect({ text: `${TOKEN}\n`, path: 'secrets/k.txt' }, [rule])).toHaveLength(1);
  });
});

describe('alternativesOf, against the whole pattern', () => {
  it('splits into alternatives that compile and match exactly where the whole does', () => {
    const wrong: string[] = [];
    for (const { source, re, texts } of cases(202, 1200)) {
      const parts = alternativesOf(source).map((a) => {
        const p = compiles(a);
        expect(p, `${show(source)} split into ${show(a)}`).not.toBe(null);
        return p!;
      });
      for (const t of texts) if (parts.some((p) => p.test(t)) !== re.test(t)) wrong.push(`${show(source)} on ${show(t)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('handles a class that JavaScript closes at its first ], and escapes before a |', () => {
    for (const source of ['[]|a', '[^]|a', '(?:[]|a)', 'a|[\\]|]b', '(\\||a)', '(?:(a)|b)', '(|a)', 'a|']) {
      const re = new RegExp(source, 'i');
      const parts = alternativesOf(source).map((a) => new RegExp(a, 'i'));
      for (const t of ['', 'a', 'b', '|', ']b', 'x']) expect(parts.some((p) => p.test(t)), `${source} on ${t}`).toBe(re.test(t));
    }
  });
});

describe('requiredLiterals and requiredChoices, against the pattern', () => {
  it('name only literals every match contains', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { source, re, texts } of cases(303, 2500)) {
      const literals = [...(requiredLiterals(source, 1) ?? []), ...(requiredLiterals(source) ?? [])];
      const choices = [...(requiredChoices(source, 1) ?? []), ...(requiredChoices(source) ?? [])];
      for (const t of texts) {
        if (!re.test(t)) continue;
        checked++;
        for (const l of literals) if (!containsI(t, l)) wrong.push(`${show(source)} on ${show(t)} needs ${show(l)}`);
        for (const any of choices) if (!any.some((l) => containsI(t, l))) wrong.push(`${show(source)} on ${show(t)} needs one of ${show(any)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('read escapes whole: \\x, \\u, \\c, octal and named back-references are one character', () => {
    for (const [source, t] of [
      ['\\x41bcd', 'Abcd'],
      ['\\u0041bcd', 'abcd'],
      ['\\cJxyz', '\nxyz'],
      ['\\141bc', 'abc'],
      ['\\0123', '\n3'],
      ['(?<n>a)\\k<n>bcd', 'aabcd'],
      ['a{00,1}bc', 'bc'],
      // JavaScript closes a class at its first ]: `[^]` is any character, and the | after it is top-level.
      ['[^]|ab]c', 'x'],
    ]) {
      expect(new RegExp(source, 'i').test(t)).toBe(true);
      for (const l of requiredLiterals(source, 1) ?? []) expect(containsI(t, l), `${source} needs ${l}`).toBe(true);
      for (const any of requiredChoices(source, 1) ?? []) expect(any.some((l) => containsI(t, l)), `${source} needs ${any}`).toBe(true);
    }
  });
});

describe('lastCharsOf, against the pattern anchored at the end', () => {
  const anchored = (r: Random) => pattern(r) + r.pick(['$', '\\s*$', '$', '\\b$', '(?=\\s*)$', '\\s*$\\s*']);

  it('never rules out a window the pattern matches (the engine reads the last non-blank character)', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { source, re, texts } of cases(404, 3000, anchored)) {
      const last = lastCharsOf(source, true);
      if (!last) continue;
      for (const t of texts) {
        if (!re.test(t)) continue;
        checked++;
        if (!last.has(lastNonBlank(t, 0, t.length))) wrong.push(`${show(source)} on ${show(t)}: ${show([...last])}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('case folds: a sigma ends where either sigma does, Kelvin only where Kelvin does', () => {
    for (const [source, t] of [
      ['\u03c3$', 'x\u03c2'],
      ['\u00b5$', '\u03bc'],
      ['\u03bc$', '\u00b5'],
      ['\\x2C$', 'a,'],
      ['\\054\\s*$', 'a, '],
    ]) {
      expect(new RegExp(source, 'i').test(t)).toBe(true);
      const last = lastCharsOf(source, true);
      if (last) expect(last.has(lastNonBlank(t, 0, t.length)), source).toBe(true);
    }
  });

  it("reads blanks as JavaScript's \\s does", () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect(lastNonBlank(`a${ch}`, 0, 2), `U+${c.toString(16)}`).toBe(/\s/.test(ch) ? 'a' : ch);
    }
  });
});
