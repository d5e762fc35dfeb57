/**
 * carryLiterals (core/incremental.ts): which of a literal set a new version of a text holds, found
 * from where they were in the previous version and the clean segments between the two, must be
 * exactly what a search of the whole new text finds, and every offset it gives must be an
 * occurrence. Texts are dense in the literals and their near misses; edits insert, delete and
 * replace characters and lines, so literals are made and broken across changes and across the
 * points where text was deleted.
 *
 * Seeded: `SEED=<n> npx vitest run test/core/carry-literals.test.ts` replays a failure.
 */
import { describe, expect, it } from 'vitest';
import { carryLiterals } from '../../src/core/incremental.js';
import { cleanSegments, unitsOf } from '../../src/core/line-diff.js';
import { LiteralSet } from '../../src/core/prefilter.js';
import { runSeed, seeded, type Random } from '../helpers/random.js';
import { editText, mixture } from '../helpers/text-edits.js';

const LITERALS = ['postmark', 'post', 'mark', 'process.env', 'env', 'x-postmark-server-token', 'client', 'apiclient.new', 'smtp', 'ı', 'straße'];
const PIECES = ['post', 'mark', 'Post', 'MARK', 'process', '.env', 'ENV', 'x-', 'postmark-server-', 'token', 'Client', 'apiclient', '.new', 'smtp', 'SMT', 'ı', 'I', 'straße', 'STRASSE', ' ', '\n', 'a', '=', '"'];

const FILLER = [' ', '\n', 'a', '=', '"', 'lorem', 'ipsum', 'x', '-'];

/** Mostly filler, so that a version often lacks a literal the next one makes, or breaks one it had. */
const text = (rnd: Random, n: number, density = rnd.pick([0.002, 0.02, 0.2])) => mixture(rnd, n, PIECES, FILLER, density);
const edit = (t: string, rnd: Random) => editText(t, rnd, (n, dense) => text(rnd, n, dense ? 0.5 : undefined));

describe('carryLiterals', () => {
  it('finds what a search of the whole new text finds, at real occurrences', () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    const set = new LiteralSet(LITERALS);
    for (let round = 0; round < 150; round++) {
      let a = text(rnd, rnd.chance(0.3) ? 40 + rnd.int(400) : 1500 + rnd.int(3000));
      let at = set.positionsIn(a);
      for (let v = 0; v < 5; v++) {
        let b = a;
        for (let k = rnd.int(4); k >= 0; k--) b = edit(b, rnd);
        const segments = cleanSegments(unitsOf(a), unitsOf(b), { maxEdits: 10_000 })!;
        const carried = carryLiterals(set, at, segments, b);
        expect([...carried.keys()].sort(), `seed ${seed}, round ${round}, version ${v}`).toEqual([...set.presentIn(b)].sort());
        for (const [l, p] of carried) expect(set.positionsIn(b.slice(p, p + l.length + 2)).get(l), `seed ${seed}: ${l} at ${p}`).toBe(0);
        a = b;
        at = carried;
      }
    }
  });

  it('sees a literal made where text was deleted, inserted or replaced, at each of its characters', () => {
    const set = new LiteralSet(LITERALS);
    const pad = 'lorem ipsum = "a" '.repeat(200);
    for (const l of LITERALS) {
      for (let i = 1; i < l.length; i++) {
        const [head, tail] = [l.slice(0, i), l.slice(i)];
        const made = `${pad}${head}${tail}${pad}`;
        const cases = [
          { from: `${pad}${head}QQ${tail}${pad}`, what: 'deleted' },
          { from: `${pad}${head}${pad}`, to: `${pad}${head}${tail}${pad}`, what: 'inserted' },
          { from: `${pad}${head}Q${tail.slice(1)}${pad}`, what: 'replaced' },
        ];
        for (const c of cases) {
          const to = c.to ?? made;
          const segments = cleanSegments(unitsOf(c.from), unitsOf(to))!;
          const before = set.positionsIn(c.from);
          expect(before.has(l), `${l}: ${c.what} case must lack it before`).toBe(false);
          expect(carryLiterals(set, before, segments, to).has(l), `${l} made at ${i} (${c.what})`).toBe(set.presentIn(to).has(l));
        }
      }
    }
  });
});
