/**
 * carryOccurrences (core/incremental.ts): every occurrence of a literal in a new version of a
 * text, found from the previous version's list and the clean segments between the two, must be
 * the list a search of the whole new text gives, offset for offset (Document.hasWithin answers
 * from it whether a match's line mentions `postmark`: one offset missing or extra changes a
 * verdict). Texts are dense in the literal, its overlaps (`postpostmark`) and near misses; edits
 * make and break occurrences across changed text and across the points where text was deleted.
 *
 * Seeded: `SEED=<n> npx vitest run test/core/carry-occurrences.test.ts` replays a failure.
 */
import { describe, expect, it } from 'vitest';
import { occurrences } from '../../src/core/document.js';
import { carryOccurrences } from '../../src/core/incremental.js';
import { cleanSegments, unitsOf } from '../../src/core/line-diff.js';
import { runSeed, seeded, type Random } from '../helpers/random.js';
import { editText, mixture } from '../helpers/text-edits.js';

const SOURCES = [
  { source: 'postmark', length: 8 },
  { source: 'aa', length: 2 },
  { source: 'x-postmark-server-token', length: 23 },
];
const PIECES = ['post', 'mark', 'POST', 'Mark', 'postmark', 'a', 'aa', 'x-', 'postmark-server-', 'token', '-', 'TOKEN', 'X-'];
const FILLER = [' ', '\n', 'b', '=', '"', 'lorem', 'ipsum'];

const text = (r: Random, n: number, density = r.pick([0.01, 0.1, 0.5])) => mixture(r, n, PIECES, FILLER, density);
const edit = (t: string, r: Random) => editText(t, r, (n, dense) => text(r, n, dense ? 0.6 : undefined));

describe('carryOccurrences', () => {
  it('gives the list a search of the whole new text gives', () => {
    const seed = runSeed();
    const r = seeded(seed);
    let carried = 0;
    for (let round = 0; round < 200; round++) {
      const { source, length } = r.pick(SOURCES);
      let a = text(r, r.chance(0.3) ? 40 + r.int(400) : 2000 + r.int(4000));
      let before = Int32Array.from(occurrences(source, a));
      for (let v = 0; v < 5; v++) {
        let b = a;
        // Few edits mostly, so the search stays near them; many now and then.
        for (let k = r.chance(0.8) ? r.int(3) : 20 + r.int(40); k >= 0; k--) b = edit(b, r);
        const segments = cleanSegments(unitsOf(a), unitsOf(b), { maxEdits: 10_000 })!;
        const list = carryOccurrences(source, length, before, segments, b);
        expect(list, `seed ${seed}, round ${round}, version ${v}, ${source}`).toEqual(occurrences(source, b));
        carried += list.length;
        a = b;
        before = Int32Array.from(list);
      }
    }
    expect(carried).toBeGreaterThan(1000);
  });

  it('sees an occurrence made where text was deleted, inserted or replaced, at each of its characters', () => {
    const pad = 'lorem ipsum = "b" postmark '.repeat(300);
    for (const { source, length } of SOURCES) {
      for (let i = 1; i < length; i++) {
        const [head, tail] = [source.slice(0, i), source.slice(i)];
        const cases = [
          { from: `${pad}${head}QQ${tail}${pad}`, to: `${pad}${head}${tail}${pad}` },
          { from: `${pad}${head}${pad}`, to: `${pad}${head}${tail}${pad}` },
          { from: `${pad}${head}Q${tail.slice(1)}${pad}`, to: `${pad}${head}${tail}${pad}` },
          // and one broken the same ways
          { from: `${pad}${head}${tail}${pad}`, to: `${pad}${head}Q${tail.slice(1)}${pad}` },
        ];
        for (const c of cases) {
          const segments = cleanSegments(unitsOf(c.from), unitsOf(c.to))!;
          const before = Int32Array.from(occurrences(source, c.from));
          expect(carryOccurrences(source, length, before, segments, c.to), `${source} split at ${i}`).toEqual(occurrences(source, c.to));
        }
      }
    }
  });
});
