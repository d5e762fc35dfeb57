/**
 * Tokens in a binary file's printable text are reported at the file's own lines and columns
 * (sources/binary-text.ts), however many there are: positions are checked one by one against the
 * bytes, in a large file with many findings, where text lines and file lines differ (every
 * non-printable byte starts a text line, only a newline byte starts a file line).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../src/core/engine.js';
import { scanContent } from '../src/scan/content.js';
import { ruleSpecs } from './helpers/rules.mjs';

const rules = compileRules(ruleSpecs());

describe('findings in a binary file with text', () => {
  it('places each of 1500 tokens in a 1.9 MB binary at its byte line and column', () => {
    const parts: Buffer[] = [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0])];
    const planted = new Map<string, number>();
    let size = parts[0]!.length;
    for (let i = 0; i < 1500; i++) {
      // Binary noise with newline bytes and other control bytes, then a key line the strings-like reader keeps.
      const noise = Buffer.alloc(1200 + (i % 7) * 3);
      for (let k = 0; k < noise.length; k++) noise[k] = k % 97 === 0 ? 0x0a : k % 5 === 0 ? 0x01 : 0x80 + (k % 100);
      const token = randomUUID();
      const line = Buffer.from(`${i % 3 === 0 ? '\x02\x03' : '\n'}POSTMARK_SERVER_TOKEN=${token}\0`, 'latin1');
      parts.push(noise, line);
      planted.set(token, size + noise.length + line.indexOf('POSTMARK') + 'POSTMARK_SERVER_TOKEN='.length);
      size += noise.length + line.length;
    }
    const buf = Buffer.concat(parts);
    expect(buf.length).toBeGreaterThan(1_800_000);
    const v = scanContent(buf, 'build/mailer.bin', { rules, maxFileSize: 10_000_000, gate: null });
    if ('skip' in v) throw new Error(`skipped: ${v.reason}`);
    expect(v.findings.length).toBe(planted.size);
    // The expected places, in one sweep over the bytes.
    const offsets = [...planted.values()].flatMap((o) => [o, o + 36]).sort((a, b) => a - b);
    const places = new Map<number, { line: number; column: number }>();
    let line = 1;
    let lastNl = -1;
    let i = 0;
    for (const o of offsets) {
      for (; i < o; i++) if (buf[i] === 0x0a) (line++, (lastNl = i));
      places.set(o, { line, column: o - lastNl });
    }
    const place = (o: number) => places.get(o);
    for (const f of v.findings) {
      const start = planted.get(f.secret);
      expect(start, f.secret).toBeDefined();
      expect({ line: f.line, column: f.column }).toEqual(place(start!));
      expect({ line: f.endLine, column: f.endColumn }).toEqual(place(start! + 36));
    }
  });
});
