/** The one redaction (src/core/redact.ts), as every output uses it. */
import { describe, expect, it } from 'vitest';
import { redact, redactKnown, redactText } from '../../src/core/redact.js';
import { LinearRegExp } from '../../src/core/safety.js';

const UUID = '6f1c2d3e-8a9b-4c7d-9e1f-2a3b4c5d6e7f';
const SMTP = 'Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D';

describe('redactText', () => {
  it.each([
    ['an author name', `Dev ${UUID}`, 'Dev 6f1c…'],
    ['a branch', `refs/heads/leak-${UUID}`, 'refs/heads/leak-6f1c…'],
    ['a tag holding an SMTP key', `refs/tags/${SMTP}`, 'refs/tags/Zx9_…'],
    ['base64 of a token', `k=${Buffer.from(`${UUID}\n`).toString('base64')}`, `k=${Buffer.from(UUID).toString('base64').slice(0, 4)}…`],
    ['a server Name', `prod ${UUID.toUpperCase()}`, 'prod 6F1C…'],
  ])('cuts a token in %s', (_label, text, shown) => {
    expect(redactText(text)).toBe(shown);
  });

  it.each([
    ['a commit id', 'a'.repeat(40)],
    ['a name made of words', 'refs/heads/2024-05-01-release-notes-v2'],
    ['a path', 'config/postmark/production.yml'],
  ])('keeps %s whole', (_label, text) => {
    expect(redactText(text)).toBe(text);
  });

  it('cuts known secrets wherever they sit, and redactKnown cuts only those', () => {
    const known = 'short-secret-value';
    expect(redactText(`x${known}y ${UUID}`, [known])).toBe('xshor…y 6f1c…');
    expect(redactKnown(`x${known}y ${UUID}`, [known])).toBe(`xshor…y ${UUID}`);
    expect(redact('')).toBe('');
  });
});

describe('LinearRegExp', () => {
  it('behaves as a global RegExp with indices: lastIndex, groups, UTF-16 offsets', () => {
    const re = new LinearRegExp('key=(?<secret>[a-z]+)', 'gd');
    const text = 'é😀 key=abc key=de';
    const a = re.exec(text)!;
    expect([a.index, a[0], a.groups!.secret, a.indices!.groups!.secret]).toEqual([4, 'key=abc', 'abc', [8, 11]]);
    expect(re.lastIndex).toBe(11);
    expect(re.exec(text)!.groups!.secret).toBe('de');
    expect(re.exec(text)).toBeNull();
    expect(re.lastIndex).toBe(0);
    expect(new LinearRegExp('KEY', 'i').test('a key')).toBe(true);
  });

  it('refuses what it cannot run in linear time', () => {
    expect(() => new LinearRegExp('(a)\\1')).toThrow(/linear time/);
    expect(() => new LinearRegExp('a(?=b)')).toThrow(/linear time/);
  });
});
