/**
 * Records keep their texts as lines (line-table.ts), and the diff narrows a changed line to the
 * characters that changed, in UTF-16 units. Texts here are full of characters outside ASCII,
 * edited where they share units with what replaces them (two emoji share their first half): a
 * clean segment must still be whole characters equal in both versions, and the incremental scan
 * must find exactly what `detect` finds.
 *
 * Seeded: a failure names its seed; `SEED=<n> npx vitest run test/core/incremental-utf8.test.ts` replays it.
 */
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { detectIncremental, type ScanRecord } from '../../src/core/incremental.js';
import { LineTable } from '../../src/core/line-table.js';
import { cleanSegments } from '../helpers/segments.js';
import { runSeed, seeded, type Random } from '../helpers/random.js';
import { ruleSpecs } from '../helpers/rules.mjs';

const rules = compileRules(ruleSpecs());

/**
 * Characters of two to four UTF-8 bytes, many sharing leading bytes (é è ê Ã, — –, 😀 😁 🙂) or
 * trailing ones (é ũ, € ¬, 😀 ☀: a four-byte character and a three-byte one).
 */
const WIDE = ['é', 'è', 'ê', 'Ã', 'ũ', '—', '–', 'Ĕ', '€', '¬', '→', '✓', '😀', '😁', '🙂', '☀', 'ß', '中', '文', '\u00a0'];
const ASCII = ['a', 'k', ' ', '=', '"', "'", ':', '-', '<', '>', '/', '\n'];

function uuid(r: Random): string {
  return `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`;
}

/** A line of a generated page: prose with wide characters, Postmark keys and calls, tokens. */
function line(r: Random): string {
  const w = () => r.pick(WIDE);
  switch (r.int(8)) {
    case 0:
      return `<p>Postmark ${w()} sends mail ${w()}${w()} fast</p>`;
    case 1:
      return `postmark_server_token = "${uuid(r)}" ${w()}`;
    case 2:
      return `const client = new postmark.ServerClient("${uuid(r)}"); // ${w()}${w()}`;
    case 3:
      return `  X-Postmark-Server-Token: ${uuid(r)} ${w()}`;
    case 4:
      return `${w()}${w()} MessageID ${uuid(r)} ${w()}`;
    case 5:
      return `<code>"${w()}${r.hex(6)}${w()}"</code> postmark`;
    default:
      return Array.from({ length: 3 + r.int(12) }, () => (r.chance(0.3) ? w() : r.pick(ASCII))).join('');
  }
}

function page(r: Random): string {
  return Array.from({ length: 20 + r.int(60) }, () => line(r)).join('\n') + (r.chance(0.5) ? '\n' : '');
}

/** One edit, most of them a wide character swapped for one that shares its leading bytes. */
function edit(text: string, r: Random): string {
  const chars = [...text];
  switch (r.int(5)) {
    case 0:
    case 1: {
      // a wide character replaced by another (é → è, 😀 → 😁)
      const at = chars.map((c, i) => (c.length > 1 || c.charCodeAt(0) > 0x7f ? i : -1)).filter((i) => i >= 0);
      if (at.length) chars[r.pick(at)] = r.pick(WIDE);
      return chars.join('');
    }
    case 2: {
      const i = r.int(chars.length + 1);
      chars.splice(i, r.int(4), ...(r.chance(0.7) ? [r.pick(WIDE)] : []));
      return chars.join('');
    }
    case 3: {
      const lines = text.split('\n');
      lines.splice(r.int(lines.length + 1), r.int(2), ...Array.from({ length: r.int(3) }, () => line(r)));
      return lines.join('\n');
    }
    default: {
      // a token changed beside wide characters
      const m = [...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)];
      if (!m.length) return text + line(r);
      const x = r.pick(m);
      return text.slice(0, x.index) + uuid(r) + r.pick(WIDE) + text.slice(x.index! + x[0].length);
    }
  }
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

describe('cleanSegments on text that is not ASCII', () => {
  it('gives segments of whole characters, equal in both versions', () => {
    const seed = runSeed();
    const r = seeded(seed);
    let clean = 0;
    let total = 0;
    let pairs = 0;
    for (let n = 0; n < 400; n++) {
      const a = page(r);
      let b = a;
      for (let k = 1 + r.int(4); k > 0; k--) b = edit(b, r);
      const segs = cleanSegments(a, b)!;
      let last = -1;
      for (const s of segs) {
        expect(s.oldStart, `seed ${seed}`).toBeGreaterThan(last);
        expect(a.slice(s.oldStart, s.oldEnd), `seed ${seed}, case ${n}`).toBe(b.slice(s.oldStart + s.delta, s.oldEnd + s.delta));
        // Never half a surrogate pair at either end.
        for (const [t, p] of [[a, s.oldStart], [a, s.oldEnd], [b, s.oldStart + s.delta], [b, s.oldEnd + s.delta]] as const) {
          expect(isLow(t.charCodeAt(p)), `seed ${seed}, case ${n}: segment edge inside a surrogate pair`).toBe(false);
        }
        // A segment ending just before a pair, or starting just after one, where the pair changed.
        if (isHigh(a.charCodeAt(s.oldEnd)) || isLow(a.charCodeAt(s.oldStart - 1))) pairs++;
        clean += s.oldEnd - s.oldStart;
        last = s.oldEnd - 1;
      }
      total += a.length;
    }
    // Not vacuous: most of the text is clean, and segments did end at changed pairs.
    expect(clean / total).toBeGreaterThan(0.8);
    expect(pairs).toBeGreaterThan(20);
  });

  it('narrows a line to the characters that changed', () => {
    expect(cleanSegments('token: "é3d2c"', 'token: "è3d2c"')).toEqual([
      { oldStart: 0, oldEnd: 8, delta: 0 },
      { oldStart: 9, oldEnd: 14, delta: 0 },
    ]);
  });

  it('keeps the first half of an emoji out of the clean text when its second half changed', () => {
    // 😀 and 😁 are \ud83d\ude00 and \ud83d\ude01.
    expect(cleanSegments('x 😀 y', 'x 😁 y')).toEqual([
      { oldStart: 0, oldEnd: 2, delta: 0 },
      { oldStart: 4, oldEnd: 6, delta: 0 },
    ]);
  });
});

describe('detectIncremental on text that is not ASCII', () => {
  it('finds exactly what detect finds, and reuses most verdicts', () => {
    const seed = runSeed();
    const r = seeded(seed);
    let reused = 0;
    let judged = 0;
    for (let chain = 0; chain < 120; chain++) {
      let text = page(r);
      const path = r.pick(['docs/api.html', 'config/postmark.yml', 'app/mailer.js', 'README.md']);
      let record: ScanRecord | undefined;
      for (let v = 0; v < 6; v++) {
        const inc = detectIncremental({ text, path }, rules, record);
        expect(inc.findings, `seed ${seed}, chain ${chain}, version ${v}`).toEqual(detect({ text, path }, rules));
        if (v > 0) {
          reused += inc.stats.reused;
          judged += inc.stats.judged;
        }
        record = inc.record;
        for (let k = 1 + r.int(3); k > 0; k--) text = edit(text, r);
      }
    }
    expect(reused / (reused + judged)).toBeGreaterThan(0.5);
  });
});

describe('LineTable', () => {
  it('holds a line once however many records hold it, until none does', () => {
    const table = new LineTable();
    const nav = page(seeded(7));
    const a = detectIncremental({ text: `${nav}\n<h1>Page A é</h1>\n`, path: 'docs/a.html' }, rules, undefined, { table }).record;
    const one = table.bytes;
    const b = detectIncremental({ text: `${nav}\n<h1>Page B 😀</h1>\n`, path: 'docs/b.html' }, rules, undefined, { table }).record;
    // The second page adds its one line of its own, not its navigation again.
    expect(table.bytes - one).toBeLessThan(200);
    expect(table.text(b.ids)).toBe(`${nav}\n<h1>Page B 😀</h1>\n`);
    table.release(a.ids);
    expect(table.text(b.ids)).toBe(`${nav}\n<h1>Page B 😀</h1>\n`);
    table.release(b.ids);
    expect(table.bytes).toBe(0);
  });

  it('gives a record of a later version the ids of the lines the diff found unchanged', () => {
    const table = new LineTable();
    const v1 = detectIncremental({ text: 'postmark:\n  token: "x"\n  from: "a@b.c"\n', path: 'config/postmark.yml' }, rules, undefined, { table }).record;
    const v2 = detectIncremental({ text: 'postmark:\n  token: "y"\n  from: "a@b.c"\n', path: 'config/postmark.yml' }, rules, v1).record;
    expect(v2.table).toBe(table);
    expect(v2.ids[0]).toBe(v1.ids[0]);
    expect(v2.ids[1]).not.toBe(v1.ids[1]);
    expect(v2.ids[2]).toBe(v1.ids[2]);
  });
});
