/**
 * A file over --max-file-size is not decoded. Its bytes are searched for every rule keyword in
 * every form decode reads (ASCII, UTF-16 and UTF-32 in either byte order); one that holds none,
 * at a path that names none, can hold no finding and counts as read. Any other is not read, and
 * a scan that did not read a file never exits 0 unless told to (`--on-unread accept`): before,
 * a pull request could pad the file holding its token past the limit and pass its own check.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules } from '../src/core/engine.js';
import { KeywordScan, keywordGate } from '../src/sources/gate.js';
import { cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { runSeed, seeded, type Random } from './helpers/random.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import { ruleSpecs } from './helpers/rules.mjs';

afterAll(cleanupAll);

const gate = keywordGate(compileRules(ruleSpecs()))!;

/** `text` in one of the forms decode reads, with no byte-order mark. */
const FORMS: Array<[string, (text: string) => Buffer]> = [
  ['ascii', (t) => Buffer.from(t, 'latin1')],
  ['utf-16le', (t) => Buffer.from(t, 'utf16le')],
  ['utf-16be', (t) => Buffer.from(t, 'utf16le').swap16()],
  ['utf-32le', (t) => Buffer.from([...t].flatMap((c) => [c.charCodeAt(0), 0, 0, 0]))],
  ['utf-32be', (t) => Buffer.from([...t].flatMap((c) => [0, 0, 0, c.charCodeAt(0)]))],
];

/** Bytes that spell no keyword in any form: digits, punctuation, NULs, bytes over 0x7f. */
function filler(r: Random, n: number): Buffer {
  // No letter, and no byte that folds (bit 0x20 set) to one or to '-' (as CR does).
  const alphabet = Buffer.from('0123456789 =_.:;\n\0\0\0\x80\xff\xe9', 'latin1');
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = alphabet[r.int(alphabet.length)]!;
  return b;
}

const mixedCase = (r: Random, word: string) => [...word].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');

/** `buf` in pieces of random lengths, some of one byte. */
function pieces(r: Random, buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; ) {
    const n = r.chance(0.2) ? 1 + r.int(3) : 1 + r.int(200);
    out.push(buf.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('the keyword search of a file over --max-file-size', () => {
  it('finds a keyword in every form and case wherever the pieces cut it, and nothing in bytes without one', () => {
    const seed = runSeed();
    const r = seeded(seed);
    for (let i = 0; i < 400; i++) {
      const [form, encode] = FORMS[i % FORMS.length]!;
      const word = mixedCase(r, r.pick(['postmark', 'PM-T-']));
      const buf = Buffer.concat([filler(r, r.int(600)), encode(word), filler(r, r.int(600))]);
      const scan = new KeywordScan(gate);
      for (const p of pieces(r, buf)) scan.push(p);
      expect(scan.found, `seed ${seed}, case ${i}: ${form} ${word}`).toBe(true);
      expect(gate.anyForm(buf), `seed ${seed}, case ${i}: ${form} ${word}`).toBe(true);

      // One character short of the keyword, in the same form: nothing to find.
      const none = Buffer.concat([filler(r, r.int(600)), encode(word.slice(0, -1)), filler(r, r.int(600))]);
      const empty = new KeywordScan(gate);
      for (const p of pieces(r, none)) empty.push(p);
      expect(empty.found, `seed ${seed}, case ${i}: ${form} ${word.slice(0, -1)}`).toBe(false);
    }
  });
});

describe('a file over --max-file-size, in every mode', () => {
  // 2 MiB with the keyword across the working tree's 1 MiB read and git's pipe chunks.
  const SIZE = 2 * 1024 * 1024;
  const padded = (at: number, word: string) => {
    const b = Buffer.alloc(SIZE, '0123456789abcdef\n');
    b.write(word, at, 'latin1');
    return b;
  };
  const MODES: Array<[string, string[], (repo: ReturnType<typeof makeRepo>) => void]> = [
    ['worktree', [], () => {}],
    ['staged', ['--staged'], (repo) => repo.git('add', '-A')],
    ['history', ['--history'], (repo) => repo.commit({}, 'add')],
  ];

  it.each(MODES)('%s: read by its keywords when it holds none; not read, exit 2, when it holds one', async (_mode, flags, stage) => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    writeFileSync(join(repo.dir, 'data.txt'), padded(0, ''));
    writeFileSync(join(repo.dir, 'notes.txt'), padded(1024 * 1024 - 3, 'postmark'));
    stage(repo);
    const r = await cliAsync(['scan', ...flags, '--max-file-size', '1MiB', '--format', 'json'], repo.dir);
    expect(r.code, r.stderr).toBe(2);
    const stats = JSON.parse(r.stdout).stats;
    expect(stats.skipped.tooLarge).toBe(1);
    expect(r.stderr).toContain(`secret-guard: not scanned: notes.txt: ${SIZE} bytes, over --max-file-size (a rule keyword is in it)\n`);
    expect(r.stderr).not.toContain('data.txt');
    const accepted = await cliAsync(['scan', ...flags, '--max-file-size', '1MiB', '--on-unread', 'accept'], repo.dir);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('over --max-file-size accepted unread (--on-unread accept)');
  });
});

describe('--range: a pull request cannot pad its token past the limit', () => {
  it('exits 2 naming the file, where it exited 0 before', async () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n', '.secret-guard.json': '{"maxFileSize": "64kB"}' } });
    repo.git('checkout', '-q', '-b', 'pr');
    const padded = `POSTMARK_SERVER_TOKEN=${token}\n# ${'-'.repeat(70_000)}\n`;
    repo.commit({ 'config/mail.cfg': padded }, 'add mail settings');
    const r = await cliAsync(['scan', '--range', 'main..pr'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`secret-guard: not scanned: config/mail.cfg: ${padded.length} bytes, over --max-file-size (a rule keyword is in it)`);
    expect(r.stderr).toContain("in the base commit's .secret-guard.json (a change never loosens its own check)");
    expect(r.stdout + r.stderr).not.toContain(token);
    // Read in full, it is the finding it always was.
    expect(cli(['scan', '--range', 'main..pr', '--max-file-size', '1MB'], repo.dir).code).toBe(1);
  });
});
