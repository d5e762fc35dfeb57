/**
 * A differential test of the keyword gate (src/sources/gate.ts) through bin/, on seeded inputs
 * made to sit where the gate decides on raw bytes what the engine decides on decoded text: a
 * Postmark context (an env line, `new postmark.ServerClient('…')`, the X-Postmark-Server-Token
 * header, an INI section, an SMTP token pair) placed across a 64 KiB window boundary of the
 * gate's case-folded search, at a file's very start or end, in keywords of mixed case; bodies of
 * ASCII, Latin-1, invalid and multi-byte UTF-8, CRLF, NULs past the first 8 KiB; the whole as
 * UTF-8, with a BOM, as UTF-16 or UTF-32 with and without a byte-order mark, in binary files
 * (a NUL in the first 8 KiB: read as printable runs), at token-named paths with no keyword in
 * the content, under an LFS pointer's first lines, and at unaligned offsets of the fold.
 *
 * The oracle is the content pipeline with the gate off (scanContent with gate null: every file
 * decoded and detected whole), run here on each file's bytes. The working-tree scan (1 and 2
 * threads) and the history scan (1 and 2 threads) use the gate; the staged scan does not for
 * text. All must report exactly the oracle's findings (history: each secret once per file).
 * Then the same with a config file's rule whose keywords have regex syntax in them and one is
 * short enough to be searched whole: the gate must stay on and still agree.
 *
 * Seeds 13 and 28 fail (checked by hand on src/sources/gate.ts) with the window overlap at 0,
 * the fold left out (bit 0x20 not set), the last-four-bytes search starting a byte late, the
 * path test left out, the byte-order-mark check left out, the NUL check left out, and (the
 * config rule) a needle of at most four bytes never found. GATE_SEEDS=1,2,3 runs others.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load.js';
import { compileRules } from '../src/core/engine.js';
import type { Finding } from '../src/core/types.js';
import { scanContent } from '../src/scan/content.js';
import { keywordGate } from '../src/sources/gate.js';
import { cliAsync } from './helpers/cli-async.js';
import { seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, makeRepo, tempDir, type Files } from './helpers/repo.js';
import { ruleSpecs } from './helpers/rules.mjs';

afterAll(cleanupAll);

const BUILTIN = compileRules(ruleSpecs());
/** The gate's window (FOLD_WINDOW in gate.ts). */
const W = 64 * 1024;

const uuid = seededToken;
const word = (r: Random) => r.pick(['postmark', 'POSTMARK', 'Postmark', 'PostMark', 'pOSTMARk']);

/** Postmark contexts a rule reports, each with a fresh token. */
const CONTEXTS: Array<(r: Random) => string> = [
  (r) => `${word(r).toUpperCase()}_SERVER_TOKEN=${uuid(r)}\n`,
  (r) => `const client = new ${word(r).toLowerCase()}.ServerClient('${uuid(r)}');\n`,
  (r) => `POST /email HTTP/1.1\nAccept: application/json\nX-${word(r)}-Server-Token: ${uuid(r)}\n`,
  (r) => `[${word(r).toLowerCase()}]\napi_token = "${uuid(r)}"\n`,
  (r) => `  ${word(r).toLowerCase()}_api_key: ${uuid(r)}\n`,
  (r) => `smtp:\n  user_name: PM-T-outbound-${r.hex(22)}\n  password: Zx9_Yw8-${r.hex(28)}\n`,
];

/** Text around the contexts: near misses of the keywords, other encodings' bytes, line ends. */
const FILLERS: Array<() => Buffer> = [
  () => Buffer.from('lorem ipsum dolor sit amet, consectetur adipiscing\n'),
  () => Buffer.from('caf\xe9 \xff\xfe na\xefve r\xe9sum\xe9\r\n', 'latin1'),
  () => Buffer.from([0xe2, 0x82, 0x70, 0xc3, 0x28, 0xf0, 0x9f, 0x98, 0xa0, 0xed, 0xa0, 0x80, 0xc1, 0xb0, 0x0a]),
  () => Buffer.from('日本語のテキスト — ünïcödé Kelvin \u212a ſ İ\n'),
  () => Buffer.from('remark, tmark, ostmark; pm-t, pM_T-, postmar k, post\nmark\r\n'),
  () => Buffer.from('\r\n'),
];

type Encoding = 'utf8' | 'bom8' | 'utf16le' | 'utf16le-bom' | 'utf16be-bom' | 'utf16be' | 'utf32le' | 'binary';

function encode(body: Buffer, enc: Encoding): Buffer {
  const text = body.toString('utf8');
  const le16 = () => Buffer.from(text, 'utf16le');
  switch (enc) {
    case 'utf8':
      return body;
    case 'bom8':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case 'utf16le':
      return le16();
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), le16()]);
    case 'utf16be':
      return le16().swap16();
    case 'utf16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le16().swap16()]);
    case 'utf32le': {
      const cps = [...text].map((c) => c.codePointAt(0)!);
      const out = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => out.writeUInt32LE(cp, i * 4));
      return out;
    }
    case 'binary':
      // An image-like header: NULs in the first 8 KiB make it binary, read as printable runs.
      return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), body, Buffer.from([0, 0, 0, 0])]);
  }
}

/** Bytes an encoding puts before the text: where a window boundary falls in the text. */
const PREFIX: Partial<Record<Encoding, number>> = { utf8: 0, bom8: 3, binary: 12 };

/** One file: a body of fillers, a context placed across a window boundary (or at the start or end), some encoding. */
function oneFile(r: Random, i: number, contexts = CONTEXTS, keyword = /postmark|pm-t-/i): [string, Buffer] {
  const kind = contexts === CONTEXTS ? r.int(12) : 3 + r.int(9);
  if (kind === 0) {
    // Named for the token it holds, with no keyword in it: only the path lets it through.
    const name = r.pick(['postmark_server_token', 'POSTMARK_API_TOKEN', 'PostmarkToken.txt', 'postmark-secret']);
    return [`secrets/${i}/${name}`, encode(Buffer.from(`${uuid(r)}\n`), r.pick<Encoding>(['utf8', 'bom8', 'utf16le-bom']))];
  }
  const ctx = Buffer.from(r.pick(contexts)(r));
  if (kind === 1) {
    // An LFS pointer's first lines, then a token: not a pointer, so it is read.
    const lfs = `version https://git-lfs.github.com/spec/v1\noid sha256:${r.hex(64)}\nsize ${r.int(99999)}\n`;
    return [`assets/${i}.bin`, Buffer.concat([Buffer.from(lfs), ctx])];
  }
  if (kind === 2) {
    // UTF-16 with its mark whose first 8 KiB hold no NUL byte (no ASCII in them): only the mark says it is wide.
    const cjk = '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8'.repeat(600 + r.int(600));
    return [`docs/${i}.txt`, encode(Buffer.from(`${cjk}\n${ctx.toString('utf8')}`), r.pick<Encoding>(['utf16le-bom', 'utf16be-bom']))];
  }
  const enc = r.pick<Encoding>(['utf8', 'utf8', 'utf8', 'bom8', 'binary', 'utf16le', 'utf16le-bom', 'utf16be', 'utf16be-bom', 'utf32le']);
  const size = r.pick([0, 300, W - 50, W + 70, 2 * W + 30]);
  const nulsLate = size > 9000 && r.chance(0.3);
  const parts: Buffer[] = [];
  let len = 0;
  while (len < size) {
    const f = nulsLate && len > 8300 && r.chance(0.05) ? Buffer.from([0, 1, 2, 0x7f, 0x80, 0x0a]) : r.pick(FILLERS)();
    parts.push(f);
    len += f.length;
  }
  let body = Buffer.concat(parts).subarray(0, size);
  // Where the keyword is, in the gate's windows: cut by a window's boundary (in an 8-bit
  // encoding, where the boundary's place in the text is known), or at the file's edges.
  const kw = keyword.exec(ctx.toString('latin1'))!;
  const boundary = r.pick([0, W, 2 * W, body.length]);
  const prefix = PREFIX[enc];
  const at =
    prefix !== undefined && boundary >= W && boundary <= body.length
      ? boundary - prefix - kw.index - 1 - r.int(kw[0].length - 1)
      : Math.max(0, Math.min(body.length, boundary - r.int(ctx.length + 8) + 4));
  body = Buffer.concat([body.subarray(0, at), ctx, body.subarray(at)]);
  if (prefix === undefined && r.chance(0.15)) body = Buffer.from(body.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  const ext = r.pick(['js', 'ini', 'yml', 'md', 'txt', 'sh']);
  return [`src/${i}/file.${ext}`, encode(body, enc)];
}

function generate(seed: number, contexts = CONTEXTS, keyword?: RegExp): Files {
  const r = seeded(seed);
  const files: Files = {};
  for (let i = 0; i < 24; i++) {
    const [path, bytes] = oneFile(r, i, contexts, keyword);
    files[path] = bytes;
  }
  return files;
}

interface Row {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  match: string;
}

const order = (a: Row, b: Row) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId);

/** What the engine reports with the gate off: every file decoded (or read as printable runs) and detected whole. */
function oracle(files: Files, rules = BUILTIN): Row[] {
  const rows: Row[] = [];
  for (const [file, bytes] of Object.entries(files)) {
    const v = scanContent(bytes as Buffer, file, { rules, maxFileSize: 100_000_000, gate: null });
    if ('skip' in v) continue;
    for (const f of v.findings as Finding[]) if (!f.suppressedBy) rows.push({ ruleId: f.ruleId, file, line: f.line, column: f.column, match: f.secret });
  }
  return rows.sort(order);
}

async function scan(args: string[], dir: string, config?: string): Promise<Row[]> {
  const r = await cliAsync(['scan', ...args, ...(config ? ['--config', config] : ['--no-config']), '--format', 'json', '--show-secrets', '--fail-on', 'none'], dir);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return (JSON.parse(r.stdout) as { findings: Array<Row & { file: string }> }).findings.map(({ ruleId, file, line, column, match }) => ({ ruleId, file, line, column, match })).sort(order);
}

/** Each secret once per file, at its first place: what history reports of a file added in one commit. */
function firstPerSecret(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((f) => {
    const k = `${f.file}\0${f.match}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const SEEDS = process.env.GATE_SEEDS ? process.env.GATE_SEEDS.split(',').map(Number) : [13, 28];

/**
 * A config's own rule, with keywords of the shapes the gate still reasons about (ASCII literals
 * with regex syntax escaped, one of at most four bytes, which is searched whole), each placed
 * like the built-in ones.
 */
const CUSTOM = {
  id: 'acme-key',
  pattern: 'acme_[a-z0-9]{16}',
  keywords: ['ACME[KEY]', 'a|b.c', 'Ak-'],
  examples: ['ACME[KEY] = acme_abcdefghij012345'],
  negativeExamples: ['ACME[KEY] = acme_short'],
};
const CUSTOM_CONTEXTS: Array<(r: Random) => string> = [
  (r) => `${r.pick(['ACME[KEY]', 'acme[key]', 'Acme[Key]'])} = acme_${r.hex(16)}\n`,
  (r) => `key: acme_${r.hex(16)} # ${r.pick(['a|b.c', 'A|B.C'])}\n`,
  (r) => `${r.pick(['Ak-', 'AK-', 'ak-'])}1 acme_${r.hex(16)}\n`,
];

async function check(seed: number, files: Files, expected: Row[], config?: string): Promise<void> {
  expect(expected.length, 'the generated files hold findings').toBeGreaterThan(8);
  const committed = makeRepo({ files });
  const staged = makeRepo();
  staged.commit({ 'README.md': 'start\n' }, 'start');
  staged.write(files);
  staged.git('add', '-A');
  const [tree1, tree2, index, history1, history2] = await Promise.all([
    scan(['--threads', '1'], committed.dir, config),
    scan(['--threads', '2'], committed.dir, config),
    scan(['--staged'], staged.dir, config),
    scan(['--history', '--threads', '1'], committed.dir, config),
    scan(['--history', '--threads', '2'], committed.dir, config),
  ]);
  expect(tree1, `seed ${seed}: working tree, 1 thread`).toEqual(expected);
  expect(tree2, `seed ${seed}: working tree, 2 threads`).toEqual(expected);
  expect(index, `seed ${seed}: staged`).toEqual(expected);
  expect(history1, `seed ${seed}: history, 1 thread`).toEqual(firstPerSecret(expected));
  expect(history2, `seed ${seed}: history, 2 threads`).toEqual(firstPerSecret(expected));
}

describe('the keyword gate against the engine on every file', () => {
  it.each(SEEDS)('seed %i: working tree, staged and history report what the engine reports with the gate off', async (seed) => {
    const files = generate(seed);
    await check(seed, files, oracle(files));
  }, 60_000);

  it.each(SEEDS)('seed %i: the same with a config rule of its own keywords', async (seed) => {
    const config = join(tempDir(), 'secret-guard.json');
    writeFileSync(config, JSON.stringify({ rules: [CUSTOM] }));
    const rules = compileRules([...ruleSpecs(), ...(await validateConfig({ rules: [CUSTOM] }, config)).rules]);
    expect(keywordGate(rules), 'the gate stays on').not.toBeNull();
    const files = generate(seed, CUSTOM_CONTEXTS, /acme\[key\]|a\|b\.c|ak-/i);
    await check(seed, files, oracle(files, rules), config);
  }, 60_000);
});
