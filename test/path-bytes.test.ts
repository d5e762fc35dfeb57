/**
 * File names as bytes (src/sources/git.ts): a name that is not UTF-8 gets a readable escaped
 * form, and that form gives its bytes back exactly; no two names share a form.
 */
import { describe, expect, it } from 'vitest';
import { pathFromBytes, pathToBytes } from '../src/sources/git.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('pathFromBytes / pathToBytes', () => {
  it('keeps UTF-8 names as they are, and escapes only bytes that are not part of a UTF-8 character', () => {
    expect(pathFromBytes(Buffer.from('src/ünï cødé/ファイル.txt'))).toBe('src/ünï cødé/ファイル.txt');
    expect(pathFromBytes(Buffer.from('back\\slash.txt'))).toBe('back\\slash.txt');
    expect(pathFromBytes(latin1('caf\xe9.env'))).toBe('caf\\351.env');
    expect(pathFromBytes(latin1('config/postm\xe4rk.yml'))).toBe('config/postm\\344rk.yml');
    // Valid UTF-8 beside a stray byte stays readable; the backslash of such a name is doubled.
    expect(pathFromBytes(Buffer.concat([Buffer.from('é\\'), Buffer.from([0xff])]))).toBe('é\\\\\\377');
  });

  it('a UTF-8 name that looks escaped is escaped too, so it cannot stand for another name', () => {
    expect(pathFromBytes(Buffer.from('caf\\351.env'))).toBe('caf\\\\351.env');
    expect(pathFromBytes(Buffer.from('a\\\\b'))).toBe('a\\\\\\\\b');
    expect(pathFromBytes(Buffer.from('caf\\351.env'))).not.toBe(pathFromBytes(latin1('caf\xe9.env')));
  });

  it('round-trips any bytes (NUL and slash aside, which no name holds)', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = [0x5c, 0x2e, 0x61, 0x33, 0x37, 0xc3, 0xa9, 0xe9, 0xff, 0xe3, 0x83, 0x95, 0xf0, 0x9f, 0x9a, 0x80, 0x0a];
    const seen = new Map<string, string>();
    for (let n = 0; n < 5000; n++) {
      const raw = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]!));
      const shown = pathFromBytes(raw);
      expect(pathToBytes(shown).equals(raw), `${raw.toString('hex')} → ${shown}`).toBe(true);
      const other = seen.get(shown);
      if (other !== undefined) expect(other).toBe(raw.toString('hex'));
      seen.set(shown, raw.toString('hex'));
    }
  });
});
