/**
 * Detection does not depend on where a secret sits in a file. Every positive example of every rule
 * (its surrounding syntax: a `.env` line, a YAML block, a client call…) gets a freshly generated
 * synthetic token and is inserted at a random line of a random filler file: code, prose, JSON and
 * log lines, with multi-byte characters and emoji, sometimes CRLF, sometimes no final newline.
 * The rule must report exactly what it reports in the example alone, on the shifted lines and the
 * same columns, and the filler must add no error. The same examples with a placeholder instead of
 * the token (`xxxxxxxx-…`, `your-token-here`, all zeros, `${POSTMARK_SERVER_TOKEN}`,
 * `POSTMARK_API_TEST`) must never be an error anywhere in the file.
 *
 * Seeded: a failure names its seed and iteration; `SEED=<n> npx vitest run test/property.test.ts`
 * replays it.
 */
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../src/core/engine.js';
import { looksReal } from '../src/core/placeholder.js';
import type { Finding, RuleSpec, Severity } from '../src/core/types.js';
import { exampleOf } from '../src/rules/lint.js';
import { runSeed, seeded, type Random } from './helpers/random.js';
import { ruleSpecs } from './helpers/rules.mjs';

const specs = ruleSpecs();
const rules = compileRules(specs);

const ITERATIONS = 400;

interface Sample {
  rule: RuleSpec;
  path: string;
  text: string;
  severity: Severity;
  /** Every secret any rule reports in the example, longest first (so none is replaced inside another). */
  secrets: string[];
}

const samples: Sample[] = specs
  .filter((s) => s.secret)
  .flatMap((rule) =>
    rule.examples.map((e) => {
      const ex = exampleOf(e, 'example.txt');
      const secrets = [...new Set(detect({ text: ex.text, path: ex.path }, rules).map((f) => f.secret))].sort((a, b) => b.length - a.length);
      return { rule, path: ex.path, text: ex.text, severity: ex.severity ?? rule.severity, secrets };
    }),
  );

const uuid = (rnd: Random) => `${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(3)}-${rnd.pick(['8', '9', 'a', 'b'])}${rnd.hex(3)}-${rnd.hex(12)}`;

/**
 * A fresh token of the same shape: every character replaced by a random one of its class (hex
 * digits stay hex digits in their case, other letters stay letters in their case), separators
 * kept; an encoded token is a fresh UUID encoded the same way.
 */
function freshLike(secret: string, real: string | undefined, rnd: Random): string {
  if (real === 'base64-uuid') return Buffer.from(`${uuid(rnd)}${secret.endsWith('Cg==') ? '\n' : ''}`).toString('base64');
  const lowerHex = '0123456789abcdef';
  const upperHex = '0123456789ABCDEF';
  const lower = 'abcdefghijklmnopqrstuvwxyz';
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let tries = 0; tries < 1000; tries++) {
    const out = [...secret]
      .map((c) => {
        if (/[0-9a-f]/.test(c)) return rnd.pick([...lowerHex]);
        if (/[A-F]/.test(c)) return rnd.pick([...upperHex]);
        if (/[g-z]/.test(c)) return rnd.pick([...lower]);
        if (/[G-Z]/.test(c)) return rnd.pick([...upper]);
        return c;
      })
      .join('');
    if (out !== secret && (!real || looksReal(out, real))) return out;
  }
  throw new Error(`no fresh token like ${secret.slice(0, 4)}… for the real shape ${real}: teach freshLike this shape`);
}

/** Lines that hold no credential: code, prose, JSON, logs, settings; UUIDs only as ids. Balanced brackets. */
const FILLER: Array<(rnd: Random) => string> = [
  () => 'const retries = 3;',
  () => 'function send(message) { return queue.push(message); }',
  () => 'if (user.isAdmin()) { audit.log("admin login"); }',
  () => 'import { readFile } from "node:fs";',
  () => 'def handler(event, context):',
  (r) => `    return {"status": "ok", "requestId": "${uuid(r)}"}`,
  () => 'export default { name: "shop", version: "2.1.0" };',
  () => '## Überblick — Zustellung',
  () => 'Ce module envoie les e-mails transactionnels ; voir la documentation.',
  () => '日本語のメモ: 再送は三回まで',
  () => 'Status: ✅ deployed 🚀 (région: eu-west-1)',
  () => '- [ ] check the bounce rate 📈',
  () => 'The mailer retries twice, then gives up and logs the failure.',
  (r) => `{"id": "${uuid(r)}", "status": "delivered", "attempts": 2}`,
  (r) => `  "requestId": "${uuid(r)}",`,
  (r) => `2024-05-01T10:00:00Z INFO postmark delivered message ${uuid(r)} to user@example.com`,
  (r) => `INSERT INTO users (id, email) VALUES ('${uuid(r)}', 'a@example.com');`,
  () => 'LOG_LEVEL=debug',
  () => 'PORT=8080',
  () => 'timeout: 30',
  () => '[server]',
  () => '# 🔧 réglages généraux',
  () => '',
  () => '',
];

const PLACEHOLDERS = ['xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'your-token-here', '00000000-0000-0000-0000-000000000000', '${POSTMARK_SERVER_TOKEN}', 'POSTMARK_API_TEST'];

interface Built {
  text: string;
  /** 0-based line index where the example starts, and how many lines it has. */
  at: number;
  lines: number;
}

/** The example among filler lines at a random position; CRLF and no final newline sometimes. */
function embed(example: string, rnd: Random): Built {
  const body = example.replace(/\n$/, '').split('\n');
  const before = Array.from({ length: rnd.int(30) }, () => rnd.pick(FILLER)(rnd));
  const after = Array.from({ length: rnd.int(30) }, () => rnd.pick(FILLER)(rnd));
  // The example is a block of its own, as it would be in a real file.
  if (before.length && rnd.chance(0.7)) before.push('');
  if (after.length && rnd.chance(0.7)) after.unshift('');
  let text = [...before, ...body, ...after].join('\n');
  if (rnd.chance(0.7)) text += '\n';
  if (rnd.chance(0.3)) text = text.replace(/\n/g, '\r\n');
  return { text, at: before.length, lines: body.length };
}

const spot = (f: Finding, shift = 0) => `${f.ruleId}@${f.line - shift}:${f.column}-${f.endLine - shift}:${f.endColumn} ${f.severity} ${f.secret}`;

describe('property: a token anywhere in a file', () => {
  it('every example has a secret to replace', () => {
    expect(samples.length).toBeGreaterThan(40);
    expect(samples.filter((s) => s.secrets.length === 0).map((s) => `${s.rule.id} ${s.path}`)).toEqual([]);
  });

  it(`is found on its line and column wherever it is inserted (${ITERATIONS} files)`, () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    const positives = samples.filter((s) => s.severity === s.rule.severity);
    for (let i = 0; i < ITERATIONS; i++) {
      const s = rnd.pick(positives);
      let example = s.text;
      for (const secret of s.secrets) example = example.split(secret).join(freshLike(secret, s.rule.real, rnd));
      const alone = detect({ text: example, path: s.path }, rules);
      const where = `seed ${seed}, iteration ${i}: ${s.rule.id} example at ${s.path}`;
      const wanted = alone.filter((f) => f.ruleId === s.rule.id).map((f) => spot(f));
      expect(wanted.length, `${where}\n${example}`).toBeGreaterThan(0);
      const built = embed(example, rnd);
      const found = detect({ text: built.text, path: s.path }, rules);
      const inside = (f: Finding) => f.line > built.at && f.line <= built.at + built.lines;
      expect(found.filter((f) => inside(f) && f.ruleId === s.rule.id).map((f) => spot(f, built.at)), `${where}\n${built.text}`).toEqual(wanted);
      expect(found.filter((f) => !inside(f) && f.severity === 'error').map((f) => spot(f)), `${where}: filler reported\n${built.text}`).toEqual([]);
    }
  });

  it(`is never an error when it is a placeholder (${ITERATIONS} files)`, () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    for (let i = 0; i < ITERATIONS; i++) {
      const s = rnd.pick(samples);
      let example = s.text;
      for (const secret of s.secrets) example = example.split(secret).join(rnd.pick(PLACEHOLDERS));
      const built = embed(example, rnd);
      const errors = detect({ text: built.text, path: s.path }, rules).filter((f) => f.severity === 'error');
      expect(errors.map((f) => spot(f)), `seed ${seed}, iteration ${i}: ${s.rule.id} example at ${s.path}\n${built.text}`).toEqual([]);
    }
  });
});

describe('property: an SMTP secret key is judged as a whole value', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const WORDS = ['xXx', 'here', 'todo', 'test', 'Test', 'demo', 'your', 'fake', 'sample'];

  it(`reports every random key beside its access key, also one holding a placeholder-like word (${ITERATIONS * 5} pairs)`, () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    for (let i = 0; i < ITERATIONS * 5; i++) {
      let key = Array.from({ length: 36 }, () => rnd.pick([...ALPHABET])).join('');
      const w = rnd.pick(WORDS);
      const at = rnd.int(37 - w.length);
      key = key.slice(0, at) + w + key.slice(at + w.length);
      const text = `POSTMARK_SMTP_USERNAME=PM-T-outbound-${rnd.hex(22)}\nPOSTMARK_SMTP_PASSWORD=${key}\n`;
      const found = detect({ text, path: '.env.production' }, rules).filter((f) => f.ruleId === 'postmark-smtp-token');
      expect(found.map((f) => `${f.severity} ${f.secret}`), `seed ${seed}, iteration ${i}`).toEqual([`error ${key}`]);
    }
  });

  it('drops a stand-in written as words', () => {
    for (const key of ['your-smtp-secret-key-goes-here-00000', 'YOUR_SMTP_SECRET_KEY_GOES_HERE_0000', 'this-is-my-smtp-secret-key-123456789']) {
      const text = `POSTMARK_SMTP_USERNAME=PM-T-outbound-Ab3dE5gH7jK9mN1pQ3sT5v\nPOSTMARK_SMTP_PASSWORD=${key}\n`;
      expect(detect({ text, path: '.env.example' }, rules).filter((f) => f.severity === 'error')).toEqual([]);
    }
  });
});
