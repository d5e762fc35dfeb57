/**
 * The quoted shape's seeker finds the regex's own matches, and with an `accept` test passes over
 * exactly the matches that fail it, resuming where the regex would (after the match), never
 * inside one. The engine relies on both to drop literals no context could hold at unread.
 */
import { describe, expect, it } from 'vitest';
import { quotedEnd, SEEKERS, SHAPES } from '../../src/core/shapes.js';
import { noise } from '../helpers/random.js';

function regexMatches(text: string): Array<[number, number]> {
  const re = new RegExp(SHAPES.quoted!, 'g');
  const out: Array<[number, number]> = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** The engine's loop: seek, then the regex from there; the next seek starts at the match's end. */
function seekMatches(text: string, accept?: (start: number, end: number) => boolean): Array<[number, number]> {
  const re = new RegExp(SHAPES.quoted!, 'g');
  const out: Array<[number, number]> = [];
  for (let from = 0; ; ) {
    const at = SEEKERS.quoted!(text, from, accept && { accept });
    if (at === -1) return out;
    re.lastIndex = at;
    const m = re.exec(text)!;
    expect(m.index).toBe(at);
    out.push([m.index, m.index + m[0].length]);
    from = m.index + m[0].length;
  }
}

const ALPHABET = `ab'"\`\\\n\r x(,=é`;

describe('quoted seeker', () => {
  it.each([
    ['plain', `a = 'one', b = "two", c = \`three\``],
    ['empty literals', `f('', "", x)`],
    ['mixed quotes', `'a"b' "c'd" 'e`],
    ['escapes and line breaks end a literal', `'a\\'b' "c\nd" 'ok'`],
    ['200 characters and 201', `'${'x'.repeat(200)}' "${'y'.repeat(201)}" 'z'`],
    ['unclosed at the end', `x = 'abc`],
  ])('finds what the regex finds: %s', (_name, text) => {
    expect(seekMatches(text)).toEqual(regexMatches(text));
  });

  it('agrees with the regex on random text dense in quotes', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const text = noise(ALPHABET, 300, seed);
      expect(seekMatches(text), `seed ${seed}`).toEqual(regexMatches(text));
    }
  });

  it('passes over exactly the matches accept refuses', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = noise(ALPHABET, 300, seed);
      const all = regexMatches(text);
      // Refuse every other match: the rest must come out, in order, as the regex found them.
      const keep = new Set(all.filter((_m, i) => i % 2 === 0).map(([s]) => s));
      const seen: Array<[number, number]> = [];
      const accept = (start: number, end: number) => {
        seen.push([start, end]);
        return keep.has(start);
      };
      expect(seekMatches(text, accept), `seed ${seed}`).toEqual(all.filter(([s]) => keep.has(s)));
      // accept was asked about every match, each once, with its bounds.
      expect(seen).toEqual(all);
    }
  });

  it('reads a match where the regex does', () => {
    expect(quotedEnd(`x'abc'`, 1)).toBe(6);
    expect(quotedEnd(`x'abc"`, 1)).toBe(-1);
    expect(quotedEnd(`x'abc'`, 0)).toBe(-1);
  });
});
