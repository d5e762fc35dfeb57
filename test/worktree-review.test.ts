/**
 * Review of the working-tree scan (`secret-guard scan`, `scan PATH`): a seeded differential
 * against what git would commit. Each case builds a real repository whose files are in every
 * state a working tree has: committed, modified on disk, staged only, staged then deleted,
 * deleted, untracked, ignored (.gitignore at the root and in a folder, .git/info/exclude,
 * core.excludesFile, a negated `!keep.env`), tracked but matching .gitignore, skip-worktree
 * (a sparse checkout: absent or changed on disk) and assume-unchanged, intent-to-add, a merge
 * conflict, a tracked folder replaced by a link to a folder outside or by a file; symbolic links
 * (to a file inside, outside, dangling, to a folder); a nested repository, a linked worktree
 * inside the tree and a gitlink; UTF-16/UTF-32
 * text, binaries that hold a keyword; names with spaces, a newline, a leading dash, `*?[`, Latin-1
 * bytes; deep paths; a folder named `.env/`; sometimes 2,000 files (the second reader thread), a
 * config whose ignorePaths covers some, a small --max-file-size.
 *
 * Oracle: in a throw-away copy (cp -a), `git add -A` (and for a named path git ignores,
 * `git add -f` of it); the staged blobs (`git ls-files -s`, `git cat-file`) written as plain
 * files at their paths into a new folder, every one of them tracked there, and scanned whole.
 * The (path, rule, secret, severity) sets, the exit codes and the files over --max-file-size must
 * agree; `--threads 1` and the default must give the same report. `scan PATH` is checked for
 * random files and folders, one to three at once (ignored or not, named as `./x`, from a
 * subfolder as `../x`) against the same oracle restricted to them, and a path inside a repository
 * within this one must be exit 2; `scan` from a subfolder (an ignored one too: read as `scan .`)
 * against the oracle under it.
 *
 * SEED=n replays one case; ROUNDS=n runs n cases from it (default 6); KEEP=1 keeps the folders.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { EXAMPLE_TOKEN, EXAMPLES } from './helpers/leak-examples.js';
import { runSeed, seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, gitIn, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(() => {
  if (!process.env.KEEP) cleanupAll();
});

const token = seededToken;
const LEAKS = EXAMPLES.filter((e) => !e.path.startsWith('<'));
const leak = (r: Random, t: string) => {
  const ex = r.pick(LEAKS);
  return { base: ex.path.split('/').pop()!, text: ex.text.split(EXAMPLE_TOKEN).join(t) };
};
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => Buffer.from(utf16le(s).toString('hex').replace(/(..)(..)/g, '$2$1'), 'hex');
const utf32le = (s: string) => {
  const out = [Buffer.from([0xff, 0xfe, 0, 0])];
  for (const ch of s) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(ch.codePointAt(0)!);
    out.push(b);
  }
  return Buffer.concat(out);
};
const binary = (s: string) => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 0]), Buffer.from(`\0\0${s}\0\x01\x02`)]);

/** A file name as bytes (a Latin-1 name is not UTF-8). */
type Name = string | Buffer;
const bytes = (p: Name) => (typeof p === 'string' ? Buffer.from(p) : p);
const absOf = (dir: string, p: Name) => Buffer.concat([Buffer.from(`${dir}/`), bytes(p)]);
/** A repository at `dir/name` holding `file` with a token; its one commit holds the file when `committed`. */
function repoInside(dir: string, name: string, file: string, secret: string, committed: boolean): void {
  const inner = join(dir, name);
  mkdirSync(inner);
  gitIn(inner, ['init', '-q', '-b', 'main']);
  writeFileSync(join(inner, file), `POSTMARK_SERVER_TOKEN=${secret}\n`);
  if (committed) gitIn(inner, ['add', '-A']);
  gitIn(inner, ['commit', '-q', '--allow-empty', '-m', name]);
}

function put(dir: string, p: Name, content: string | Buffer) {
  const abs = absOf(dir, p);
  const slash = abs.lastIndexOf(0x2f);
  mkdirSync(abs.subarray(0, slash), { recursive: true });
  writeFileSync(abs, content);
}

interface Case {
  repo: Repo;
  did: string[];
  /** Extra flags both sides get (--max-file-size). */
  flags: string[];
  /** The config file outside the repository both sides are given, or null (--no-config). */
  config: string | null;
  /** Folders and files worth naming in `scan PATH` (UTF-8 names only). */
  named: string[];
  /** Subfolders to run `scan` from. */
  subdirs: string[];
}

const DIRS = ['', 'src/', 'config/', 'deep/a/b/c/d/e/f/g/h/i/', 'build/', 'vendor/lib/', '.env/', 'sp ace/', '-dash/', 'keep/'];

function buildCase(r: Random): Case {
  const repo = makeRepo();
  const dir = repo.dir;
  const did: string[] = [];
  const named = new Set<string>();
  const outside = tempDir('sg-outside-');
  const excludesFile = join(outside, 'global-ignore');
  writeFileSync(excludesFile, r.chance(0.5) ? 'global-ignored/\n*.global\n' : '');
  repo.git('config', 'core.excludesFile', excludesFile);
  // Ignore rules, each from another source git reads.
  appendFileSync(join(dir, '.git/info/exclude'), 'excluded-by-info/\n*.local\n');
  const gitignore = ['build/', '*.log', 'secret.env', 'keep/*.env', '!keep/keep.env', 'later-ignored.yml'];
  writeFileSync(join(dir, '.gitignore'), `${gitignore.join('\n')}\n`);
  put(dir, 'vendor/.gitignore', 'lib/*.yml\n');

  const nameFor = (k: number, base: string): Name => {
    const d = r.pick(DIRS);
    switch (r.int(12)) {
      case 0:
        return `${d}with space ${k} ${base}`;
      case 1:
        return `${d}new\nline${k}.${base}`;
      case 2:
        return `${d}-lead${k}-${base}`;
      case 3:
        return `${d}${r.pick(['star*', 'q?', 'br[1]', 'back\\101', 'two\\\\'])}${k}-${base}`;
      case 4:
        return Buffer.concat([Buffer.from(`${d}caf`), Buffer.from([0xe9]), Buffer.from(`${k}-${base}`)]);
      case 5:
        return `${r.pick(['excluded-by-info/', 'global-ignored/', 'build/out/', 'keep/', ''])}f${k}${r.pick(['.local', '.global', '.log', '.env', ''])}-${base}`;
      default:
        return `${d}f${k}/${base}`;
    }
  };
  const content = (t: string): { base: string; data: string | Buffer } => {
    const l = leak(r, t);
    switch (r.int(10)) {
      case 0:
        return { base: l.base, data: utf16le(l.text) };
      case 1:
        return { base: l.base, data: utf16be(l.text) };
      case 2:
        return { base: l.base, data: utf32le(l.text) };
      case 3:
        return { base: 'mailer.bin', data: binary(`POSTMARK_SERVER_TOKEN=${t}`) };
      case 4:
        return { base: l.base, data: `${'# padding line\n'.repeat(40 + r.int(40))}${l.text}` };
      default:
        return { base: l.base, data: l.text };
    }
  };

  // The first commit: files that will be in every tracked state.
  const n = 4 + r.int(8);
  const tracked: Name[] = [];
  for (let k = 0; k < n; k++) {
    const { base, data } = content(token(r));
    const p = nameFor(k, base);
    put(dir, p, data);
    tracked.push(p);
  }
  if (r.chance(0.5)) {
    put(dir, 'later-ignored.yml', `postmark:\n  server_token: ${token(r)}\n`);
    did.push('later-ignored.yml: tracked, then ignored by .gitignore');
  }
  if (r.chance(0.3)) {
    put(dir, '.env/settings', `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
    put(dir, 'app/.env', `POSTMARK_API_TOKEN=${token(r)}\n`);
  }
  const bulk = r.chance(0.15);
  if (bulk) {
    for (let k = 0; k < 2100; k++) put(dir, `bulk/${k % 40}/f${k}.txt`, k % 500 === 7 ? `POSTMARK_SERVER_TOKEN=${token(r)}\n` : `line ${k}\n`);
    did.push('2100 files under bulk/');
  }
  if (r.chance(0.3)) {
    // A gitlink: a repository inside, added as a commit, its files never read.
    repoInside(dir, 'sub', 'mail.env', token(r), true);
    did.push('gitlink sub/');
  }
  // Some extra untracked files carry the link targets and the nested repository below; the
  // tracked ones are committed now.
  // Forced: a tracked file may match .gitignore (git commits it all the same).
  gitIn(dir, ['add', '-A', '-f']);
  gitIn(dir, ['commit', '-q', '-m', 'initial']);
  if (r.chance(0.25)) {
    // A merge conflict: the index holds stages 1-3, the disk both sides between markers.
    const [a, b] = [token(r), token(r)];
    put(dir, 'conflict/mail.yml', 'postmark:\n  server_token: base\n');
    gitIn(dir, ['add', '--', 'conflict/mail.yml']);
    gitIn(dir, ['commit', '-q', '-m', 'base']);
    gitIn(dir, ['checkout', '-q', '-b', 'other']);
    put(dir, 'conflict/mail.yml', `postmark:\n  server_token: ${a}\n`);
    gitIn(dir, ['commit', '-q', '-am', 'other']);
    gitIn(dir, ['checkout', '-q', 'main']);
    put(dir, 'conflict/mail.yml', `postmark:\n  server_token: ${b}\n`);
    gitIn(dir, ['commit', '-q', '-am', 'main']);
    try {
      gitIn(dir, ['merge', '-q', 'other']);
    } catch {
      // the conflict is the point
    }
    did.push('merge conflict in conflict/mail.yml');
  }

  // Each tracked file: one more state.
  tracked.forEach((p, k) => {
    const shown = typeof p === 'string' ? JSON.stringify(p) : `<bytes ${p.toString('latin1')}>`;
    const abs = absOf(dir, p);
    switch (r.int(10)) {
      case 0:
        writeFileSync(abs, content(token(r)).data);
        did.push(`modify ${shown}`);
        break;
      case 1:
        writeFileSync(abs, 'nothing here\n');
        did.push(`clean on disk ${shown}`);
        break;
      case 2:
        rmSync(abs);
        did.push(`delete ${shown}`);
        break;
      case 3: {
        onPaths(dir, ['update-index', '--skip-worktree', '-z', '--stdin'], [p]);
        if (r.chance(0.5)) rmSync(abs);
        else writeFileSync(abs, r.chance(0.5) ? 'local edit\n' : content(token(r)).data);
        did.push(`skip-worktree ${shown}`);
        break;
      }
      case 4:
        onPaths(dir, ['update-index', '--assume-unchanged', '-z', '--stdin'], [p]);
        writeFileSync(abs, r.chance(0.5) ? 'local edit\n' : content(token(r)).data);
        did.push(`assume-unchanged ${shown}`);
        break;
      case 5:
        writeFileSync(abs, content(token(r)).data);
        onPaths(dir, [...ADD, '-f'], [p]);
        if (r.chance(0.5)) writeFileSync(abs, 'unstaged edit\n');
        did.push(`staged change ${shown}`);
        break;
      default:
        break;
    }
  });
  // Untracked files, some of them ignored one way or another.
  const m = 2 + r.int(6);
  for (let k = 0; k < m; k++) {
    const { base, data } = content(token(r));
    const p = nameFor(100 + k, base);
    put(dir, p, data);
    if (r.chance(0.3)) {
      onPaths(dir, [...ADD, '-f'], [p]);
      if (r.chance(0.5)) rmSync(absOf(dir, p));
      did.push(`staged new ${p.toString()}`);
    }
  }
  put(dir, 'keep/keep.env', `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
  put(dir, 'keep/other.env', `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
  put(dir, 'build/bundle.js', `const c = new postmark.ServerClient("${token(r)}");\n`);
  put(dir, 'vendor/lib/conf.yml', `postmark:\n  server_token: ${token(r)}\n`);
  put(dir, 'secret.env', `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
  // Links: their text is what git commits; what they point to only where it is itself committed.
  const target = join(outside, 'outside.env');
  writeFileSync(target, `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
  mkdirSync(join(outside, 'folder'));
  writeFileSync(join(outside, 'folder', 'mail.env'), `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
  symlinkSync(target, join(dir, 'outside-link.env'));
  symlinkSync(join(outside, 'folder'), join(dir, 'folder-link'));
  symlinkSync('secret.env', join(dir, 'inside-link.env'));
  symlinkSync('nowhere/at/all', join(dir, 'dangling-link'));
  if (r.chance(0.5)) {
    // A tracked folder replaced by a link to a folder outside: git sees its files deleted.
    put(outside, 'moved/mail.js', `const c = new postmark.ServerClient("${token(r)}");\n`);
    put(dir, 'moved/mail.js', 'nothing\n');
    gitIn(dir, ['add', '--', 'moved/mail.js']);
    rmSync(join(dir, 'moved'), { recursive: true });
    symlinkSync(join(outside, 'moved'), join(dir, 'moved'));
    did.push('moved/ replaced by a link to a folder outside');
  }
  if (r.chance(0.3)) {
    // A tracked folder replaced by a file: git sees its files deleted.
    put(dir, 'gone/mail.js', 'nothing\n');
    gitIn(dir, ['add', '--', 'gone/mail.js']);
    rmSync(join(dir, 'gone'), { recursive: true });
    writeFileSync(join(dir, 'gone'), 'a file now\n');
    did.push('gone/ replaced by a file');
  }
  if (r.chance(0.3)) {
    // Intent to add: in the index with no blob yet; git add -A stages what is on disk.
    put(dir, 'intent/mail.js', `const c = new postmark.ServerClient("${token(r)}");\n`);
    gitIn(dir, ['add', '-N', '--', 'intent/mail.js']);
    did.push('intent-to-add intent/mail.js');
  }
  if (r.chance(0.2)) {
    // A linked worktree inside this one: a folder with a .git file, a repository to git add -A.
    gitIn(dir, ['worktree', 'add', '-q', '--detach', 'inner-wt']);
    put(dir, 'inner-wt/new.env', `POSTMARK_SERVER_TOKEN=${token(r)}\n`);
    did.push('linked worktree inner-wt/');
  }
  if (r.chance(0.4)) {
    // A repository inside that is no submodule: `git add -A` adds it as a gitlink.
    repoInside(dir, 'nested', '.env', token(r), false);
    did.push('nested repository nested/');
  }
  let config: string | null = null;
  if (r.chance(0.25)) {
    config = join(outside, 'config.json');
    writeFileSync(config, JSON.stringify({ ignorePaths: [r.pick(['src/**', 'config/**', '**/*.env', 'keep/**'])] }));
    did.push(`config ${readFileLine(config)}`);
  }
  const flags = r.chance(0.2) ? ['--max-file-size', String(300 + r.int(600))] : [];
  if (flags.length) did.push(flags.join(' '));

  for (const p of [...tracked, 'keep', 'keep/keep.env', 'keep/other.env', 'build', 'build/bundle.js', 'vendor', 'vendor/lib', 'secret.env', 'src', 'config', '.env', 'deep/a', 'excluded-by-info', 'global-ignored', 'inside-link.env', 'folder-link', 'moved', 'gone', 'intent', 'conflict/mail.yml', 'inner-wt', 'nested', 'nested/.env', 'sub']) {
    if (typeof p !== 'string' || p.includes('\n')) continue;
    named.add(p);
    const slash = p.lastIndexOf('/');
    if (slash > 0) named.add(p.slice(0, slash));
  }
  const subdirs = ['src', 'config', 'deep/a/b', 'keep', 'vendor', 'sp ace', 'build', 'excluded-by-info', 'vendor/lib'].filter((d) => existsLine(dir, d));
  return { repo, did, flags, config, named: [...named], subdirs };
}

/** A git command given paths as bytes on standard input (a Latin-1 name cannot be an argument). */
function onPaths(dir: string, args: string[], paths: Name[]) {
  const input = Buffer.concat(paths.flatMap((p) => [bytes(p), Buffer.from([0])]));
  execFileSync('git', args, { cwd: dir, input, env: { ...process.env, GIT_LITERAL_PATHSPECS: '1', HOME: dir } });
}
const ADD = ['add', '--pathspec-from-file=-', '--pathspec-file-nul'];

function existsLine(dir: string, p: string): boolean {
  try {
    execFileSync('test', ['-e', join(dir, p)]);
    return true;
  } catch {
    return false;
  }
}
const readFileLine = (p: string) => execFileSync('cat', [p], { encoding: 'utf8' });

type Key = string; // path \0 rule \0 secret \0 severity

interface Scan {
  code: number;
  keys: Set<Key>;
  /** The files reported over --max-file-size and not read. */
  unread: Set<string>;
  report: JsonReport | null;
  stderr: string;
}

function scan(args: string[], cwd: string, c: Case): Scan {
  const cfg = c.config ? ['--config', c.config] : ['--no-config'];
  const r = cli(['scan', ...args, ...cfg, ...c.flags, '--format', 'json', '--show-secrets'], cwd);
  const report = r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as JsonReport) : null;
  const keys = new Set<Key>();
  for (const f of report?.findings ?? []) {
    if (f.suppressedBy) continue;
    keys.add(`${f.file}\0${f.ruleId}\0${f.match ?? ''}\0${f.severity}`);
  }
  const unread = new Set([...r.stderr.matchAll(/^secret-guard: not scanned: (.*): \d+ bytes/gm)].map((m) => m[1]!));
  return { code: r.code, keys, unread, report, stderr: r.stderr };
}

/**
 * What git would commit from `dir` (restricted to `under`, a repository-relative prefix, and with
 * `force`, a path git ignores, added as `scan PATH` reads it), as a folder of plain files every
 * one of which is tracked there.
 */
function committed(dir: string, under: string | string[] = '', force: string[] = []): string {
  const unders = (typeof under === 'string' ? [under] : under).filter((u) => u !== '');
  const copy = tempDir('sg-copy-');
  execFileSync('cp', ['-a', `${dir}/.`, copy]);
  const env = { GIT_LITERAL_PATHSPECS: '1' };
  gitIn(copy, ['-c', 'advice.addEmbeddedRepo=false', 'add', '-A'], env);
  if (force.length) gitIn(copy, ['add', '-f', '--', ...force], env);
  const listing = execFileSync('git', ['ls-files', '-s', '-z'], { cwd: copy, maxBuffer: 1 << 28 });
  const out = tempDir('sg-oracle-');
  const blobs: Array<{ oid: string; path: Buffer }> = [];
  for (let at = 0; at < listing.length; ) {
    const nul = listing.indexOf(0, at);
    const rec = listing.subarray(at, nul);
    at = nul + 1;
    const tab = rec.indexOf(0x09);
    const [mode, oid] = rec.subarray(0, tab).toString().split(' ');
    const path = rec.subarray(tab + 1);
    if (mode === '160000') continue; // a gitlink: a commit of another repository, nothing to read
    const name = path.toString('latin1');
    if (unders.length && !unders.some((u) => name === u || name.startsWith(`${u}/`))) continue;
    blobs.push({ oid: oid!, path });
  }
  if (blobs.length) {
    const input = blobs.map((b) => `${b.oid}\n`).join('');
    const all = execFileSync('git', ['cat-file', '--batch'], { cwd: copy, input, maxBuffer: 1 << 28 });
    let at = 0;
    for (const b of blobs) {
      const nl = all.indexOf(0x0a, at);
      const size = Number(all.subarray(at, nl).toString().split(' ')[2]);
      put(out, b.path, all.subarray(nl + 1, nl + 1 + size));
      at = nl + 1 + size + 1;
    }
  }
  rmSync(copy, { recursive: true, force: true });
  gitIn(out, ['init', '-q', '-b', 'main']);
  gitIn(out, ['add', '-A', '-f']);
  return out;
}

function isIgnored(dir: string, p: string): boolean {
  try {
    gitIn(dir, ['check-ignore', '-q', '--', p]);
    return true;
  } catch {
    return false;
  }
}

const show = (s: Set<string>) => [...s].map((k) => k.split('\0').slice(0, 3).join(' | ')).sort();

function expectSame(what: string, got: Scan, want: Scan, c: Case, seed: number) {
  const context = `seed ${seed} (${what}), ${c.repo.dir}\n${c.did.join('\n')}\n${got.stderr}`;
  expect(show(got.keys), context).toEqual(show(want.keys));
  expect([...got.unread].sort(), context).toEqual([...want.unread].sort());
  expect(got.code, context).toBe(want.code);
}

function stable(s: Scan) {
  const stats = { ...(s.report?.stats ?? {}) } as Record<string, unknown>;
  delete stats.durationMs;
  return { code: s.code, findings: s.report?.findings, stats, notes: s.report?.notes };
}

function runCase(seed: number): number {
  const r = seeded(seed);
  const c = buildCase(r);
  const dir = c.repo.dir;
  // The whole tree, on one thread and on the default.
  const oracle = committed(dir);
  const want = scan(['.'], oracle, c);
  const one = scan(['--threads', '1'], dir, c);
  const two = scan([], dir, c);
  expectSame('scan --threads 1', one, want, c, seed);
  expect(stable(two), `seed ${seed}: --threads 1 and the default differ`).toEqual(stable(one));
  let checks = 2;
  // Named paths, from the root or from a subfolder.
  for (let k = 0; k < 3; k++) {
    // One path, sometimes two or three at once (a folder and a file in it, ignored or not).
    const ps = [...new Set(Array.from({ length: r.chance(0.7) ? 1 : 2 + r.int(2) }, () => r.pick(c.named)))].filter((p) => existsLine(dir, p));
    if (!ps.length) continue;
    const from = r.chance(0.3) && c.subdirs.length ? r.pick(c.subdirs) : '';
    const args = ps.map((p) => (from ? `${'../'.repeat(from.split('/').length)}${p}` : r.chance(0.5) || p.startsWith('-') ? `./${p}` : p));
    const what = `scan ${args.join(' ')} from ${from || 'the root'}`;
    if (ps.some((p) => /^(nested|inner-wt|sub)\/./.test(p))) {
      // Inside a repository within this one: git lists nothing there, and that is never a pass.
      const g = scan(args, join(dir, from), c);
      expect(g.code, `seed ${seed}: ${what}: ${g.stderr}`).toBe(2);
      continue;
    }
    const ignored = ps.filter((p) => isIgnored(dir, p));
    const o = committed(dir, ps, ignored);
    const w = scan(['.'], o, c);
    const g = scan(['--threads', r.pick(['1', '2']), ...args], join(dir, from), c);
    expectSame(`${what}${ignored.length ? `, ignored: ${ignored.join(' ')}` : ''}`, g, w, c, seed);
    checks++;
  }
  // `scan` from a subfolder reads the files under it.
  if (c.subdirs.length) {
    // `scan` from a folder git ignores reads it, as `scan FOLDER` does.
    const d = r.pick(c.subdirs);
    const o = committed(dir, d, isIgnored(dir, d) ? [d] : []);
    expectSame(`scan from ${d}`, scan([], join(dir, d), c), scan(['.'], o, c), c, seed);
    checks++;
  }
  return checks;
}

describe('working-tree scan: seeded differential against what git would commit', () => {
  const rounds = Number(process.env.ROUNDS ?? 6);
  const first = runSeed();
  it(`${rounds} cases from seed ${first}`, () => {
    let checks = 0;
    for (let i = 0; i < rounds; i++) checks += runCase(first + i);
    if (process.env.ROUNDS) console.log(`worktree-review: ${rounds} cases from seed ${first}, ${checks} scans compared`);
    expect(checks).toBeGreaterThan(rounds);
  }, 600_000);
});
