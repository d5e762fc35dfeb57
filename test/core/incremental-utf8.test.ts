/**
 * A record may keep a text as its UTF-8 bytes (history hands over a blob's bytes as they came),
 * and the diff then runs on bytes while findings, spans and literals are string offsets. Texts
 * here are full of characters of two, three and four bytes, edited where they share bytes with
 * what replaces them (é and è share their first byte, two emoji their first three): a clean
 * segment must still be whole characters equal in both versions, and the incremental scan must
 * find exactly what `detect` finds, whichever units each version came as.
 *
 * Seeded: a failure names its seed; `SEED=<n> npx vitest run test/core/incremental-utf8.test.ts` replays it.
 */
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { detectIncremental, type ScanRecord } from '../../src/core/incremental.js';
import { cleanSegments, lineBounds, type Units, unitsOf, utf16Segments } from '../../src/core/line-diff.js';
import { decode, isPlainUtf8 } from '../../src/sources/decode.js';
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

const bytesOf = (s: string) => Buffer.from(s, 'utf8');
const utf8Text = (s: string) => {
  const data = bytesOf(s);
  return { data, bytes: lineBounds(data), units: lineBounds(unitsOf(s)) };
};

describe('utf16Segments', () => {
  it('turns byte segments into string segments of whole characters, equal in both versions', () => {
    const seed = runSeed();
    const r = seeded(seed);
    let clean = 0;
    let total = 0;
    let split = 0;
    for (let n = 0; n < 400; n++) {
      const a = page(r);
      let b = a;
      for (let k = 1 + r.int(4); k > 0; k--) b = edit(b, r);
      const ta = utf8Text(a);
      const tb = utf8Text(b);
      const bytes = cleanSegments(ta.data, tb.data)!;
      // Byte segments that begin or end inside a character: the case being tested.
      for (const s of bytes) if ((ta.data[s.oldStart]! & 0xc0) === 0x80 || (s.oldEnd < ta.data.length && (ta.data[s.oldEnd]! & 0xc0) === 0x80)) split++;
      const segs = utf16Segments(bytes, ta, tb);
      let last = -1;
      for (const s of segs) {
        expect(s.oldStart, `seed ${seed}`).toBeGreaterThan(last);
        expect(a.slice(s.oldStart, s.oldEnd), `seed ${seed}, case ${n}`).toBe(b.slice(s.oldStart + s.delta, s.oldEnd + s.delta));
        // Never half a surrogate pair at either end.
        for (const [t, p] of [[a, s.oldStart], [a, s.oldEnd], [b, s.oldStart + s.delta], [b, s.oldEnd + s.delta]] as const) {
          const c = t.charCodeAt(p);
          expect(c >= 0xdc00 && c <= 0xdfff, `seed ${seed}, case ${n}: segment edge inside a surrogate pair`).toBe(false);
        }
        clean += s.oldEnd - s.oldStart;
        last = s.oldEnd - 1;
      }
      total += a.length;
    }
    // Not vacuous: most of the text is clean, and byte segments did end inside characters.
    expect(clean / total).toBeGreaterThan(0.8);
    expect(split).toBeGreaterThan(20);
  });

  it('keeps the shared leading byte of é and è out of the clean text', () => {
    const a = 'token: "é3d2c"';
    const b = 'token: "è3d2c"';
    expect(utf16Segments(cleanSegments(bytesOf(a), bytesOf(b))!, utf8Text(a), utf8Text(b))).toEqual([
      { oldStart: 0, oldEnd: 8, delta: 0 },
      { oldStart: 9, oldEnd: 14, delta: 0 },
    ]);
  });
});

describe('detectIncremental on UTF-8 bytes', () => {
  it('finds exactly what detect finds, whichever units each version comes as', () => {
    const seed = runSeed();
    const r = seeded(seed);
    // Reuse between two versions given as bytes, and between two given as UTF-16 units.
    const reuse = { bytes: [0, 0], units: [0, 0] };
    const full = new Map<string, number>();
    for (let chain = 0; chain < 120; chain++) {
      let text = page(r);
      const path = r.pick(['docs/api.html', 'config/postmark.yml', 'app/mailer.js', 'README.md']);
      let record: ScanRecord | undefined;
      let wasBytes = false;
      for (let v = 0; v < 6; v++) {
        // Mostly bytes, as history gives them; now and then UTF-16 units (a file whose encoding changed).
        const bytes = r.chance(0.75);
        const inc = detectIncremental({ text, path }, rules, record, bytes ? { units: bytesOf(text) } : {});
        expect(inc.findings, `seed ${seed}, chain ${chain}, version ${v}`).toEqual(detect({ text, path }, rules));
        if (v > 0) {
          if (inc.stats.full) full.set(inc.stats.full, (full.get(inc.stats.full) ?? 0) + 1);
          const pair = bytes && wasBytes ? reuse.bytes : !bytes && !wasBytes ? reuse.units : undefined;
          if (pair) {
            pair[0] += inc.stats.reused;
            pair[1] += inc.stats.judged;
          }
        }
        record = inc.record;
        wasBytes = bytes;
        for (let k = 1 + r.int(3); k > 0; k--) text = edit(text, r);
      }
    }
    // Not vacuous: on bytes as on units, most verdicts come from the version before; a change of
    // units is seen as one (never lined up byte against unit).
    const share = ([used, judged]: number[]) => used! / (used! + judged!);
    expect(share(reuse.bytes)).toBeGreaterThan(0.5);
    expect(share(reuse.bytes)).toBeGreaterThan(share(reuse.units) - 0.1);
    expect(full.get('encodings differ') ?? 0).toBeGreaterThan(20);
  });

  it('keeps half the memory for a page that is not ASCII', () => {
    // Pages that do not repeat each other: the store shares what repeats, in either units.
    const text = Array.from({ length: 20 }, (_, i) => page(seeded(7 + i))).join('');
    const asBytes = detectIncremental({ text, path: 'docs/a.html' }, rules, undefined, { units: bytesOf(text) }).record;
    const asUnits = detectIncremental({ text, path: 'docs/a.html' }, rules).record;
    expect(asBytes.store.bytes).toBeLessThan(0.75 * asUnits.store.bytes);
    expect(Buffer.from(asBytes.store.units(asBytes.chunks, 1)).equals(bytesOf(text))).toBe(true);
  });
});

describe('isPlainUtf8', () => {
  it('holds exactly where decode reads the bytes as they are', () => {
    const cases: Array<[string, Buffer]> = [
      ['ASCII', Buffer.from('postmark_token = "x"\n')],
      ['UTF-8', Buffer.from('Postmark — é 😀 中\n')],
      ['a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('é\n')])],
      ['UTF-16LE without a mark', Buffer.from('postmark token\n'.repeat(20), 'utf16le')],
      ['Latin-1', Buffer.from('caf\xe9 postmark\n', 'latin1')],
      ['a NUL in the sniffed bytes', Buffer.from('a\0b postmark\n')],
    ];
    for (const [what, buf] of cases) {
      const d = decode(buf);
      const asIs = 'text' in d && d.text === buf.toString('utf8') && Buffer.byteLength(d.text) === buf.length;
      expect(isPlainUtf8(buf), what).toBe(asIs);
    }
    expect(cases.filter(([, b]) => isPlainUtf8(b))).toHaveLength(2);
  });
});
