/**
 * Hostile input, in the working tree, the index and the history: a 50 MB single-line file
 * (scanned in bounded time and memory, its tokens found at the right columns), binary files and
 * NUL bytes (git's rule: a NUL in the first 8 KiB), invalid UTF-8, UTF-16 with a byte-order mark
 * (both byte orders), CRLF line ends and a missing final newline, each with the token's exact
 * line and column.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, type Repo } from './helpers/repo.js';
import type { JsonFinding, JsonReport } from './helpers/report.js';
import { needTool } from './helpers/tools.js';

afterAll(cleanupAll);

type Mode = 'worktree' | 'staged' | 'history';
const MODE_ARGS: Record<Mode, string[]> = { worktree: [], staged: ['--staged'], history: ['--history'] };

async function scanJson(repo: Repo, mode: Mode, extra: string[] = [], wrap: string[] = [], unread = false) {
  const started = Date.now();
  const r = await cliAsync(['scan', ...MODE_ARGS[mode], '--format', 'json', '--show-secrets', ...extra], repo.dir, { wrap });
  const ms = Date.now() - started;
  if (unread) expect(r.code, r.stderr).toBe(2);
  else expect(r.code, r.stderr).not.toBe(2);
  return { code: r.code, json: JSON.parse(r.stdout) as JsonReport, ms, stderr: r.stderr };
}

const where = (f: JsonFinding) => `${f.file}:${f.line}:${f.column}-${f.endColumn}:${f.match}`;

/** A token written as a shell variable, with a space before it so it is not part of a word. */
const assignment = (token: string) => ` POSTMARK_SERVER_TOKEN=${token} `;
/** Where a token written at `offset` by assignment() starts, as a 1-based column. */
const columnOf = (offset: number) => offset + ' POSTMARK_SERVER_TOKEN='.length + 1;

// GNU time measures the child's peak memory; .ci/run installs it, so CI never goes unmeasured.
const TIME = needTool('GNU time', 'the peak-memory check of the 50 MB file (the scan itself still runs)');

describe('a 50 MB single-line file', () => {
  const SIZE = 50 * 1024 * 1024;
  // Generous: measured at 2.5-4 s on two shared cores. The point is "bounded", not "fast".
  const BUDGET_MS = 60_000;
  const RSS_LIMIT_KB = 1024 * 1024;
  const middle = fakeToken();
  const end = fakeToken();
  const midAt = SIZE / 2;
  const endAt = SIZE - 200;

  function bigFile(): Buffer {
    // Minified code: one line, no newline anywhere.
    const buf = Buffer.alloc(SIZE, 'var a=1;');
    buf.write(assignment(middle), midAt);
    buf.write(assignment(end), endAt);
    return buf;
  }

  it('is found in the working tree, the index and the history, in bounded time and memory', { timeout: 300_000 }, async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    writeFileSync(join(repo.dir, 'bundle.min.js'), bigFile());
    const expected = [`bundle.min.js:1:${columnOf(midAt)}-${columnOf(midAt) + 36}:${middle}`, `bundle.min.js:1:${columnOf(endAt)}-${columnOf(endAt) + 36}:${end}`];
    const wrap = TIME ? [TIME, '-v'] : [];
    for (const mode of ['worktree', 'staged', 'history'] as Mode[]) {
      if (mode === 'staged') repo.git('add', 'bundle.min.js');
      if (mode === 'history') repo.git('commit', '-qm', 'bundle');
      // Over the 5 MB default, and holding a rule keyword, it is not read: counted, named, exit 2.
      const skipped = await scanJson(repo, mode, [], [], true);
      expect(skipped.json.stats.skipped.tooLarge, mode).toBe(1);
      expect(skipped.json.findings, mode).toEqual([]);
      expect(skipped.stderr, mode).toContain('not scanned: bundle.min.js: 52428800 bytes, over --max-file-size (a rule keyword is in it)');

      const r = await scanJson(repo, mode, ['--max-file-size', '64MB'], wrap);
      expect(r.code, mode).toBe(1);
      expect(r.json.findings.map(where), mode).toEqual(expected);
      expect(r.ms, `${mode} took ${r.ms} ms`).toBeLessThan(BUDGET_MS);
      const rss = TIME ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) : NaN;
      if (TIME) expect(rss, `${mode} peak RSS ${rss} kB`).toBeLessThan(RSS_LIMIT_KB);
      // The figures for the closing note.
      console.info(`50 MB single line, ${mode}: ${r.ms} ms, peak RSS ${TIME ? `${Math.round(rss / 1024)} MB` : 'not measured (no GNU time)'}`);
    }
  });
});

describe('encodings, line ends, binary content', () => {
  const T = {
    le: fakeToken(),
    be: fakeToken(),
    crlf: fakeToken(),
    nonl: fakeToken(),
    latin1: fakeToken(),
    lateNul: fakeToken(),
    nul: fakeToken(),
    bom8: fakeToken(),
  };
  const line = (t: string) => `POSTMARK_SERVER_TOKEN=${t}`;
  const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const utf16be = (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);

  const files: Record<string, Buffer> = {
    // Non-ASCII before the token on its line: columns count UTF-16 code units.
    'utf16le.env.txt': utf16le(`# première\n# zweite ✓\nnote = "héllo" ; ${line(T.le)}\n`),
    'utf16be.txt': utf16be(`# one\n# two\n${line(T.be)}\n`),
    'crlf.txt': Buffer.from(`# one\r\n# two\r\n  ${line(T.crlf)}\r\n# four\r\n`),
    'no-final-newline.txt': Buffer.from(`# one\n${line(T.nonl)}`),
    // Latin-1 bytes are invalid UTF-8: each becomes one U+FFFD and the token survives.
    'latin1.txt': Buffer.concat([Buffer.from('caf\xe9 \xff\xfe\xfd\n', 'latin1'), Buffer.from('na\xefve ', 'latin1'), Buffer.from(`${line(T.latin1)}\n`)]),
    // A NUL after the first 8 KiB: text to git, text to us.
    'late-nul.txt': Buffer.concat([Buffer.from(`${line(T.lateNul)}\n`), Buffer.alloc(9000, 'x'), Buffer.from([0, 10])]),
    // A NUL in the first 8 KiB: binary to git. It holds a rule's keyword, so its printable runs
    // are read (line and column are the file's own).
    'image.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(`\n${line(T.nul)}\n`)]),
    'utf8-bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${line(T.bom8)}\n`)]),
    'empty.txt': Buffer.alloc(0),
    'only-nuls.dat': Buffer.alloc(4096, 0),
  };
  const expected = [
    `crlf.txt:3:25-61:${T.crlf}`,
    `image.bin:2:23-59:${T.nul}`,
    `late-nul.txt:1:23-59:${T.lateNul}`,
    `latin1.txt:2:29-65:${T.latin1}`,
    `no-final-newline.txt:2:23-59:${T.nonl}`,
    `utf16be.txt:3:23-59:${T.be}`,
    `utf16le.env.txt:3:40-76:${T.le}`,
    `utf8-bom.txt:1:23-59:${T.bom8}`,
  ];

  it('each token at its exact line and column, binary files counted, in every mode', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.write(files);
    for (const mode of ['worktree', 'staged', 'history'] as Mode[]) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'history') repo.git('commit', '-qm', 'files');
      const r = await scanJson(repo, mode);
      expect(r.code, mode).toBe(1);
      expect(r.json.findings.map(where), mode).toEqual(expected);
      expect(r.json.stats.skipped.binary, mode).toBe(1);
      expect(r.json.stats.filesScanned, mode).toBe(mode === 'staged' ? 9 : 10);
    }
  });

  it('--staged: a line added to a UTF-16 or CRLF file is reported at its line, the old lines are not', async () => {
    const old = { le: fakeToken(), crlf: fakeToken() };
    const added = { le: fakeToken(), crlf: fakeToken() };
    const repo = makeRepo({
      files: {
        'win.env.txt': utf16le(`${line(old.le)}\n# two\n`),
        'crlf.txt': Buffer.from(`${line(old.crlf)}\r\n# two\r\n`),
      },
    });
    repo.write({
      'win.env.txt': utf16le(`${line(old.le)}\n# two\n# three\n${line(added.le)}\n`),
      'crlf.txt': Buffer.from(`${line(old.crlf)}\r\n# two\r\n# three\r\n${line(added.crlf)}\r\n`),
    });
    repo.git('add', '-A');
    const r = await scanJson(repo, 'staged');
    expect(r.json.findings.map(where)).toEqual([`crlf.txt:4:23-59:${added.crlf}`, `win.env.txt:4:23-59:${added.le}`]);
  });
});
