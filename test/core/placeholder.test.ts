/** Telling real-looking tokens from placeholders, references and elisions. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isNeverSecret, isPatternedHex, isPlaceholderText, isReference, looksReal } from '../../src/core/placeholder.js';
import { seeded, type Random } from '../helpers/random.js';

describe('placeholders', () => {
  it.each([
    '00000000-0000-0000-0000-000000000000',
    '11111111-1111-1111-1111-111111111111',
    '12345678-1234-1234-1234-123456789012',
    '01234567-89ab-cdef-0123-456789abcdef',
    'abcdef01-2345-6789-abcd-ef0123456789',
    'deadbeef-dead-beef-dead-beefdeadbeef',
    'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    'a1b2c3d4-e5f6-a7b8-c9d0-e1f2a3b4c5d6',
    '1234abcd-1234-abcd-1234-abcd1234abcd',
    '11111111-2222-3333-4444-555555555555',
    '00000000-0000-0000-0000-000000000042',
  ])('%s is a patterned UUID, not a token', (u) => {
    expect(isPatternedHex(u)).toBe(true);
    expect(looksReal(u, 'uuid')).toBe(false);
  });

  it('never mistakes a random UUID for a pattern', () => {
    for (let i = 0; i < 20000; i++) {
      const u = randomUUID();
      if (isPatternedHex(u)) throw new Error(`random ${u} judged patterned`);
    }
  });

  it('accepts UUID-shaped tokens of any version digit, in either case', () => {
    expect(looksReal('6f1c2a7e-93b4-1d1e-b0a2-5c8e1f3d9a47', 'uuid')).toBe(true);
    expect(looksReal('6F1C2A7E-93B4-7D1E-B0A2-5C8E1F3D9A47', 'uuid')).toBe(true);
    expect(looksReal('6f1c2a7e93b44d1eb0a25c8e1f3d9a47', 'uuid')).toBe(false);
  });

  it.each(['your-token-here', 'YOUR-API-KEY', 'your-api-token-here', 'testToken', 'POSTMARK_SERVER_TOKEN_HERE', '<server-token>', 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'changeme', 'dummy-token'])(
    '%s reads as a stand-in',
    (v) => expect(isPlaceholderText(v)).toBe(true),
  );

  it('tells random SMTP secret keys from word-like stand-ins', () => {
    expect(looksReal('Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D', 'random-key')).toBe(true);
    expect(looksReal('your-smtp-secret-key-goes-here-00000', 'random-key')).toBe(false);
    expect(looksReal('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'random-key')).toBe(false);
  });
});

describe('never a secret', () => {
  it.each(['', '   ', 'POSTMARK_API_TEST', '***REMOVED***', '...', '…', '***', '-'])('%j', (v) => expect(isNeverSecret(v)).toBe(true));

  it('keeps anything with a letter or digit', () => {
    expect(isNeverSecret('x')).toBe(false);
    expect(isNeverSecret('6f1c2a7e-93b4-4d1e-b0a2-5c8e1f3d9a47')).toBe(false);
  });
});

describe('references', () => {
  it.each(['${POSTMARK_SERVER_TOKEN}', '$POSTMARK_API_TOKEN', '${{ secrets.POSTMARK_API_TOKEN }}', '%env(POSTMARK_TOKEN)%', '%POSTMARK_TOKEN%', '{{ .Values.postmark.token }}', "<%= ENV['POSTMARK_API_TOKEN'] %>", "#{ENV['POSTMARK_API_TOKEN']}", '$(vault kv get -field=token secret/postmark)', "ENV['X']", "env('POSTMARK_TOKEN')"])(
    '%s',
    (v) => expect(isReference(v)).toBe(true),
  );

  it('does not take a literal for a reference', () => {
    expect(isReference('6f1c2a7e-93b4-4d1e-b0a2-5c8e1f3d9a47')).toBe(false);
    expect(isReference('token$1')).toBe(false);
  });
});

describe('random SMTP secret keys are judged as a whole', () => {
  const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
  const INSIDE = ['xXx', 'xxx', 'here', 'Here', 'todo', 'TODO', 'test', 'Test', 'demo', 'your', 'fake', 'dummy', 'sample', 'removed'];
  const key = (rnd: Random) => Array.from({ length: 36 }, () => rnd.pick(ALPHABET)).join('');

  it('keeps every generated key, also one holding a placeholder-like word (seeded)', () => {
    const rnd = seeded(20261206);
    const dropped: string[] = [];
    for (let i = 0; i < 60000; i++) {
      let k = key(rnd);
      // Every other key gets a placeholder-like word spliced in, at its start, end or middle.
      if (i % 2 === 1) {
        const w = rnd.pick(INSIDE);
        const at = rnd.pick([0, 36 - w.length, rnd.int(36 - w.length)]);
        k = k.slice(0, at) + w + k.slice(at + w.length);
      }
      if (!looksReal(k, 'random-key')) dropped.push(k);
    }
    expect(dropped.slice(0, 5)).toEqual([]);
  });

  it('still drops stand-ins written as words, runs or repeats, generated too', () => {
    const fixed = [
      'your-smtp-secret-key-goes-here-00000',
      'YourSmtpSecretKeyGoesHere0000000000x',
      'YOUR_SMTP_SECRET_KEY_GOES_HERE_0000',
      'smtp-secret-key-placeholder-00000000',
      'this-is-my-smtp-secret-key-123456789',
      'replace-with-your-smtp-secret-key-01',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'abcdefghijklmnopqrstuvwxyz0123456789',
    ];
    for (const s of fixed) expect(looksReal(s, 'random-key'), s).toBe(false);
    const rnd = seeded(7);
    const WORDS = ['your', 'smtp', 'secret', 'key', 'goes', 'here', 'postmark', 'token', 'placeholder', 'replace', 'me', 'example', 'test'];
    const styles = [(w: string[]) => w.join('-'), (w: string[]) => w.join('_').toUpperCase(), (w: string[]) => w.map((x) => x[0]!.toUpperCase() + x.slice(1)).join('')];
    for (let i = 0; i < 2000; i++) {
      const words = Array.from({ length: 3 + rnd.int(4) }, () => rnd.pick(WORDS));
      let s = rnd.pick(styles)(words).slice(0, 36);
      s = s.padEnd(36, rnd.pick(['0', '1', 'x']));
      expect(looksReal(s, 'random-key'), s).toBe(false);
    }
  });
});
