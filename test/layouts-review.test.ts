/**
 * Every scan mode on the repository layouts users really have: a seeded differential. Each case
 * is one real repository with generated tokens planted in files, in history only and in a commit
 * message, put into a layout (a partial clone, alternates, a separate git directory, a linked
 * worktree, core.worktree, a bare repository, a sparse checkout, GIT_DIR/GIT_WORK_TREE, a split
 * index, an fsmonitor hook that lies, grafts, replace refs...). The oracle is a plain full clone of
 * the same origin scanned the plain way: a layout must report the same findings, or exit 2 with a
 * message that says what was not read. Never exit 0 (or 1) over what it did not read, never hang.
 *
 * SEED=n replays a run (printed on failure); CASES=n draws n layouts (default: each layout once,
 * in an order and with contents drawn from the seed).
 */
import { createServer, type Server } from 'node:net';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

type Mode = 'worktree' | 'staged' | 'history' | 'range';
interface Run {
  code: number;
  stdout: string;
  stderr: string;
  keys: string[];
}

const client = (t: string) => `import postmark from 'postmark';\nconst client = new postmark.ServerClient('${t}');\n`;
const MODE_ARGS: Record<Mode, string[]> = { worktree: [], staged: ['--staged'], history: ['--history'], range: ['--range', 'HEAD~3..HEAD'] };

/** What a report says was found: file, rule and match, as a sorted, de-duplicated list. */
function keysOf(stdout: string): string[] {
  if (!stdout.startsWith('{')) return [];
  const report = JSON.parse(stdout) as { findings: Array<{ file: string; ruleId: string; match: string }> };
  return [...new Set(report.findings.map((f) => `${f.file}\t${f.ruleId}\t${f.match}`))].sort();
}

/** A scan, in-process (helpers/cli.ts). */
function scan(mode: Mode, cwd: string, env: Record<string, string>): Run {
  const r = cli(scanArgs(mode), cwd, env);
  return { ...r, keys: keysOf(r.stdout) };
}

/**
 * A scan with a time limit (a partial clone's lazy fetch from an unreachable remote hangs): past
 * it the run is killed and reported as code -1, a failure of the case rather than a hung suite.
 */
async function scanBounded(mode: Mode, cwd: string, env: Record<string, string>): Promise<Run> {
  const r = await cliAsync(scanArgs(mode), cwd, { env, timeoutMs: 20_000 });
  if (r.code === -1) return { code: -1, stdout: r.stdout, stderr: `timed out or killed (${r.stderr})`, keys: [] };
  return { ...r, keys: keysOf(r.stdout) };
}

const scanArgs = (mode: Mode) => ['scan', '--no-config', '--format', 'json', '--show-secrets', ...MODE_ARGS[mode]];

interface Origin {
  /** A bare repository served with uploadpack.allowFilter. */
  bare: string;
  url: string;
  /** Paths of committed files in the tip, for a sparse checkout. */
  cone: string;
  outside: string;
}

/** A history with a token in a file at the tip, one in history only, one in a commit message. */
function makeOrigin(r: Random): Origin {
  const t = () => seededToken(r);
  const cone = r.pick(['svc/a', 'web']);
  const outside = cone === 'web' ? 'svc/b' : 'docs';
  const repo = makeRepo({ files: { 'README.md': '# app\n', [`${cone}/mail.js`]: client(t()), [`${outside}/mail.js`]: client(t()) } });
  const gone = r.pick(['config/old-mail.js', 'lib/legacy/postmark.js']);
  repo.commit({ [gone]: client(t()) }, 'add legacy mailer');
  repo.commit({ [gone]: null, 'CHANGELOG.md': 'removed the legacy mailer\n' }, 'remove legacy mailer');
  repo.commit({ 'README.md': '# app\n\nsee docs\n' }, `debug: POSTMARK_SERVER_TOKEN=${t()}\n\nTemporarily hardcoded.`);
  repo.commit({ [`${cone}/util.js`]: 'export const x = 1;\n' }, 'util');
  const bare = join(tempDir('sg-origin-'), 'origin.git');
  gitIn(repo.dir, ['clone', '-q', '--bare', repo.dir, bare]);
  gitIn(bare, ['config', 'uploadpack.allowFilter', 'true']);
  return { bare, url: `file://${bare}`, cone, outside };
}

/** What a layout is to report for a mode: the oracle's findings, or either those or an exit 2 saying why. */
type Want = 'same' | 'same-or-2' | '2';
interface Layout {
  /** The folder the scan runs in, its environment, and which modes apply with what outcome. */
  cwd: string;
  env: Record<string, string>;
  want: Partial<Record<Mode, Want>>;
  /** What an exit 2's message must say. */
  says?: RegExp;
  /** Scanned with a time limit: the layout can make a scan wait on a remote. */
  bounded?: boolean;
}

/** The scan's effect on a clone: an untracked file and a staged one, both with a token (the same in the oracle). */
interface Extra {
  untracked: string;
  staged: string;
}

function addExtras(workTree: string, extra: Extra, env: Record<string, string> = {}): void {
  mkdirSync(join(workTree, 'notes'), { recursive: true });
  writeFileSync(join(workTree, 'notes/local.js'), client(extra.untracked));
  writeFileSync(join(workTree, 'notes/staged.js'), client(extra.staged));
  gitIn(workTree, ['add', '--sparse', 'notes/staged.js'], env);
  writeFileSync(join(workTree, 'notes/local.js'), client(extra.untracked));
}

const ALL: Partial<Record<Mode, Want>> = { worktree: 'same', staged: 'same', history: 'same', range: 'same' };
const clone = (args: string[], from: string, dir: string) => gitIn(tempDir('sg-cwd-'), ['clone', '-q', ...args, from, dir]);

/** A server that accepts connections and never answers: a remote that is unreachable without failing. */
let silent: Server;
let silentPort = 0;
beforeAll(async () => {
  silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => silent.close(() => r())));

const PARTIAL = /partial clone .*never fetched.*\n.*git fetch --refetch --no-filter origin/;

/** A partial clone (`filter`) of a copy of the origin that is then moved away: the promisor is gone. */
function partialOfLostOrigin(o: Origin, x: Extra, filter: string): Layout {
  const dir = join(tempDir('sg-l-'), 'c');
  const copy = join(tempDir('sg-l-'), 'origin.git');
  cpSync(o.bare, copy, { recursive: true });
  clone([`--filter=${filter}`], `file://${copy}`, dir);
  addExtras(dir, x);
  renameSync(copy, `${copy}.gone`);
  return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same', history: '2', range: '2' }, says: PARTIAL, bounded: true };
}

const LAYOUTS: Record<string, (o: Origin, x: Extra, r: Random) => Layout> = {
  'partial clone (blob:none), origin there': (o, x) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none'], o.url, dir);
    addExtras(dir, x);
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same', history: '2', range: '2' }, says: PARTIAL, bounded: true };
  },
  'partial clone (blob:none), origin removed': (o, x) => partialOfLostOrigin(o, x, 'blob:none'),
  'partial clone (tree:0), origin removed': (o, x) => partialOfLostOrigin(o, x, 'tree:0'),
  'partial clone (blob:none), origin unreachable (answers nothing)': (o, x) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none'], o.url, dir);
    addExtras(dir, x);
    gitIn(dir, ['remote', 'set-url', 'origin', `http://127.0.0.1:${silentPort}/origin.git`]);
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same', history: '2', range: '2' }, says: PARTIAL, bounded: true };
  },
  'partial clone (blob:none) with a sparse checkout: the files outside it were never fetched': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none', '--no-checkout'], o.url, dir);
    gitIn(dir, ['sparse-checkout', 'set', '--cone', o.cone, 'notes']);
    gitIn(dir, ['checkout', '-q', 'main']);
    addExtras(dir, x);
    if (r.chance(0.5)) gitIn(dir, ['remote', 'set-url', 'origin', `http://127.0.0.1:${silentPort}/origin.git`]);
    return { cwd: dir, env: {}, want: { worktree: '2', staged: 'same', history: '2' }, says: /never fetched|is not in this clone \(a partial clone/, bounded: true };
  },
  'alternates (clone --shared / --reference), alternate there': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(r.chance(0.5) ? ['--shared'] : ['--reference', o.bare], `file://${o.bare}`, dir);
    addExtras(dir, x);
    return { cwd: dir, env: {}, want: ALL };
  },
  'alternates, alternate gone': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    const copy = join(tempDir('sg-l-'), 'origin.git');
    cpSync(o.bare, copy, { recursive: true });
    // From a URL, so --reference borrows the objects instead of hard-linking a local clone's.
    clone(r.chance(0.5) ? ['--shared'] : ['--reference', copy], r.chance(0.5) ? copy : `file://${copy}`, dir);
    addExtras(dir, x);
    renameSync(copy, `${copy}.gone`);
    // The files on disk are still there to read; git's objects may not be.
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same-or-2', history: 'same-or-2', range: 'same-or-2' }, says: /missing|borrows objects from .*and that folder is gone/ };
  },
  '--separate-git-dir': (o, x) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--separate-git-dir', join(tempDir('sg-l-'), 'git')], o.bare, dir);
    addExtras(dir, x);
    return { cwd: dir, env: {}, want: ALL };
  },
  'a linked worktree': (o, x) => {
    const main = join(tempDir('sg-l-'), 'main');
    clone([], o.bare, main);
    const dir = join(tempDir('sg-l-'), 'linked');
    gitIn(main, ['worktree', 'add', '-q', '--detach', dir, 'HEAD']);
    addExtras(dir, x);
    return { cwd: dir, env: {}, want: ALL };
  },
  'core.worktree set (run from the git directory)': (o, x) => {
    const work = join(tempDir('sg-l-'), 'work');
    const gitDir = join(tempDir('sg-l-'), 'repo.git');
    clone(['--separate-git-dir', gitDir], o.bare, work);
    gitIn(gitDir, ['config', 'core.worktree', work]);
    addExtras(work, x);
    return { cwd: gitDir, env: {}, want: ALL };
  },
  'a bare repository (history only)': (o) => {
    const dir = join(tempDir('sg-l-'), 'mirror.git');
    clone(['--mirror'], o.bare, dir);
    return { cwd: dir, env: {}, want: { history: 'same', range: 'same' } };
  },
  'a sparse checkout': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--no-checkout'], o.bare, dir);
    const cone = r.chance(0.5);
    gitIn(dir, ['sparse-checkout', 'init', cone ? '--cone' : '--no-cone', ...(r.chance(0.5) ? ['--sparse-index'] : ['--no-sparse-index'])]);
    gitIn(dir, ['sparse-checkout', 'set', ...(cone ? [o.cone, 'notes'] : [`/${o.cone}/`, '/notes/'])]);
    gitIn(dir, ['checkout', '-q', 'main']);
    addExtras(dir, x);
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same' } };
  },
  'GIT_DIR and GIT_WORK_TREE in the environment': (o, x, r) => {
    const work = join(tempDir('sg-l-'), 'work');
    const gitDir = join(tempDir('sg-l-'), 'repo.git');
    clone(['--separate-git-dir', gitDir], o.bare, work);
    renameSync(join(work, '.git'), join(tempDir('sg-l-'), 'unused-gitfile'));
    const env = { GIT_DIR: gitDir, GIT_WORK_TREE: work };
    addExtras(work, x, env);
    // From a folder below the top, a scan with no path reads that folder (as `scan FOLDER`): the other modes only.
    const below = r.chance(0.5);
    return { cwd: below ? join(work, o.cone) : work, env, want: { ...(below ? {} : { worktree: 'same' as const }), staged: 'same', history: 'same', range: 'same' } };
  },
  'index states: split index, untracked cache, a lying fsmonitor, index.skipHash': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone([], o.bare, dir);
    if (r.chance(0.7)) gitIn(dir, ['update-index', '--split-index']);
    if (r.chance(0.7)) gitIn(dir, ['config', 'core.untrackedCache', 'true']);
    if (r.chance(0.7)) gitIn(dir, ['config', 'index.skipHash', 'true']);
    // A hook that says nothing ever changed (protocol 2: a token, then no paths).
    const hook = join(dir, '.git/hooks/lying-fsmonitor');
    writeFileSync(hook, "#!/bin/sh\nprintf 'token\\0'\n");
    chmodSync(hook, 0o755);
    gitIn(dir, ['config', 'core.fsmonitor', hook]);
    gitIn(dir, ['status', '--porcelain']);
    addExtras(dir, x);
    gitIn(dir, ['status', '--porcelain']);
    // An edit and a new folder the hook does not report: git status misses them, the disk has them.
    lateFiles(dir, x);
    return { cwd: dir, env: {}, want: ALL };
  },
  'commit-graph, packed refs, replace refs': (o, x, r) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone([], o.bare, dir);
    addExtras(dir, x);
    if (r.chance(0.7)) gitIn(dir, ['commit-graph', 'write', '--reachable']);
    if (r.chance(0.7)) gitIn(dir, ['pack-refs', '--all']);
    // A replacement that makes the last commit a root: git log shows one commit; the scan reads past it.
    gitIn(dir, ['replace', '--graft', 'HEAD']);
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same', history: 'same', range: 'same' } };
  },
  grafts: (o, x) => {
    const dir = join(tempDir('sg-l-'), 'c');
    clone([], o.bare, dir);
    addExtras(dir, x);
    writeFileSync(join(dir, '.git/info/grafts'), `${gitIn(dir, ['rev-parse', 'HEAD']).trim()}\n`);
    return { cwd: dir, env: {}, want: { worktree: 'same', staged: 'same', history: '2', range: '2' }, says: /grafts.*\n.*git replace --convert-graft-file/ };
  },
};

function lateFiles(dir: string, x: Extra): void {
  writeFileSync(join(dir, 'CHANGELOG.md'), `POSTMARK_SERVER_TOKEN=${x.untracked}\n`);
  mkdirSync(join(dir, 'notes/late'), { recursive: true });
  writeFileSync(join(dir, 'notes/late/mail.env'), `POSTMARK_SERVER_TOKEN=${x.staged}\n`);
}

/** The oracle: a plain full clone of the origin, the same untracked, edited and staged files, scanned the plain way. */
function oracle(o: Origin, x: Extra, editChangelog: boolean): Record<Mode, string[]> {
  const dir = join(tempDir('sg-o-'), 'c');
  clone([], o.bare, dir);
  addExtras(dir, x);
  if (editChangelog) lateFiles(dir, x);
  const out = {} as Record<Mode, string[]>;
  for (const mode of Object.keys(MODE_ARGS) as Mode[]) {
    const r = scan(mode, dir, {});
    expect(r.code, `oracle ${mode}: ${r.stderr}`).toBe(1);
    out[mode] = r.keys;
  }
  return out;
}

const SEED = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
const names = Object.keys(LAYOUTS);
const CASES = process.env.CASES ? Number(process.env.CASES) : names.length;

describe(`every scan mode on real repository layouts (SEED=${SEED})`, () => {
  it('reports what a plain clone reports, or exit 2 saying what was not read', { timeout: 300_000 }, async () => {
    const r = seeded(SEED);
    // Each layout once a run by default, in an order drawn from the seed; CASES=n draws more.
    const order = [...names].sort(() => r.next() - 0.5);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const name = i < order.length ? order[i]! : r.pick(names);
      const o = makeOrigin(r);
      const x = { untracked: seededToken(r), staged: seededToken(r) };
      const want = oracle(o, x, name.startsWith('index states'));
      // Planted tokens are where the oracle says: the file at the tip, history only, the message.
      expect(want.history.some((k) => k.startsWith('<commit message>')), 'oracle sees the message').toBe(true);
      expect(want.history.length).toBeGreaterThan(want.range.length - 1);
      const layout = LAYOUTS[name]!(o, x, r);
      for (const [mode, w] of Object.entries(layout.want) as Array<[Mode, Want]>) {
        const got = layout.bounded ? await scanBounded(mode, layout.cwd, layout.env) : scan(mode, layout.cwd, layout.env);
        const what = `SEED=${SEED} case ${i} ${name}, ${mode}: exit ${got.code}\n${got.stderr}`;
        if (got.code === 2 && w !== 'same') {
          if (layout.says && !layout.says.test(got.stderr)) failures.push(`${what}\n(the exit 2 does not say ${layout.says})`);
          continue;
        }
        if (w === '2') failures.push(`${what}\n(wanted exit 2; found ${got.keys.length}, the plain clone ${want[mode].length})`);
        else if (got.code !== 1 || JSON.stringify(got.keys) !== JSON.stringify(want[mode])) {
          failures.push(`${what}\n  got  ${got.keys.join('\n       ')}\n  want ${want[mode].join('\n       ')}`);
        }
      }
    }
    expect(failures.join('\n\n')).toBe('');
  });
});

// Each defect the differential found, on its own.
describe('layouts: each defect on its own', () => {
  const planted = () => {
    const r = seeded(7);
    return makeOrigin(r);
  };
  /** A blob-less clone of a planted origin with a cone sparse checkout: files outside it were never fetched. */
  const sparsePartial = () => {
    const o = planted();
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none', '--no-checkout'], o.url, dir);
    gitIn(dir, ['sparse-checkout', 'set', '--cone', o.cone]);
    gitIn(dir, ['checkout', '-q', 'main']);
    return { o, dir };
  };

  it('grafts that hide commits: --history is exit 2 naming the graft file, not exit 0 over the hidden commits', () => {
    const o = planted();
    const dir = join(tempDir('sg-l-'), 'c');
    clone([], o.bare, dir);
    writeFileSync(join(dir, '.git/info/grafts'), `${gitIn(dir, ['rev-parse', 'HEAD']).trim()}\n`);
    for (const mode of ['history', 'range'] as const) {
      const got = scan(mode, dir, {});
      expect(got.code, `${mode}: ${got.stdout}${got.stderr}`).toBe(2);
      expect(got.stderr).toMatch(/info\/grafts \(grafts\)/);
    }
    // Converted into replace refs, everything is read again.
    gitIn(dir, ['replace', '--convert-graft-file']);
    expect(existsSync(join(dir, '.git/info/grafts'))).toBe(false);
    expect(scan('history', dir, {}).code).toBe(1);
  });

  it('a --shared clone whose alternate is gone: history and range are exit 2 naming the folder, not "fetch the base" or "a ref points at nothing"', () => {
    const o = planted();
    const copy = join(tempDir('sg-l-'), 'origin.git');
    cpSync(o.bare, copy, { recursive: true });
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--shared'], copy, dir);
    renameSync(copy, `${copy}.gone`);
    for (const mode of ['history', 'range'] as const) {
      const got = scan(mode, dir, {});
      expect(got.code, `${mode}: ${got.stdout}${got.stderr}`).toBe(2);
      expect(got.stderr).toMatch(/borrows objects from .*origin\.git\/objects .*and that folder is gone.*\n.*git repack -a -d/);
    }
  });

  it('a partial clone whose origin answers nothing: exit 2 naming the objects, at once, not a hang or a silent fetch', async () => {
    const o = planted();
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none'], o.url, dir);
    const missing = gitIn(dir, ['rev-list', '--objects', '--missing=print', '--all']).split('\n').filter((l) => l.startsWith('?'));
    expect(missing.length).toBeGreaterThan(0);
    gitIn(dir, ['remote', 'set-url', 'origin', `http://127.0.0.1:${silentPort}/origin.git`]);
    for (const mode of ['history', 'range'] as const) {
      const got = await scanBounded(mode, dir, {});
      expect(got.code, `${mode}: ${got.stderr}`).toBe(2);
      expect(got.stderr).toMatch(PARTIAL);
      expect(got.stderr).toContain(missing[0]!.slice(1));
    }
  });

  it('a partial clone with a sparse checkout: the working-tree scan is exit 2 naming the file it could not read, without fetching or hanging', async () => {
    const { o, dir } = sparsePartial();
    for (const url of [o.url, `http://127.0.0.1:${silentPort}/origin.git`]) {
      gitIn(dir, ['remote', 'set-url', 'origin', url]);
      const got = await scanBounded('worktree', dir, {});
      expect(got.code, `${url}: ${got.stderr}`).toBe(2);
      expect(got.stderr).toMatch(new RegExp(`${o.outside}/mail\\.js: the index's version .* is not in this clone \\(a partial clone.*\\n.*git fetch --refetch --no-filter origin`));
    }
    // Nothing was fetched behind the scan's back.
    expect(gitIn(dir, ['rev-list', '--objects', '--missing=print', '--all'])).toMatch(/^\?/m);
  });

  it('replace refs: a range end is resolved through the commits as they are, as the walk reads them, not through the replacement', () => {
    const o = planted();
    const [dir, full] = [join(tempDir('sg-l-'), 'c'), join(tempDir('sg-l-'), 'full')];
    clone([], o.bare, dir);
    clone([], o.bare, full);
    // git log now shows HEAD as a root, so HEAD~3 named nothing: exit 2 "fetch the base".
    gitIn(dir, ['replace', '--graft', 'HEAD']);
    const got = scan('range', dir, {});
    expect(got.code, got.stderr).toBe(1);
    expect(got.keys).toEqual(scan('range', full, {}).keys);
  });

  it('a partial clone with a sparse checkout, a file moved in from outside it, the remote not answering: --staged reads the commit without rename detection, and says so (it hung)', async () => {
    const { o, dir } = sparsePartial();
    gitIn(dir, ['remote', 'set-url', 'origin', `http://127.0.0.1:${silentPort}/origin.git`]);
    // Rename detection would compare the new file with HEAD's version of the removed one, never fetched.
    gitIn(dir, ['rm', '-q', '--sparse', `${o.outside}/mail.js`]);
    const moved = seededToken(seeded(8));
    writeFileSync(join(dir, o.cone, 'moved.js'), client(moved));
    gitIn(dir, ['add', join(o.cone, 'moved.js')]);
    const got = await scanBounded('staged', dir, {});
    expect(got.code, got.stderr).toBe(1);
    expect(got.keys).toEqual([`${o.cone}/moved.js\tpostmark-hardcoded-client\t${moved}`]);
    expect(JSON.parse(got.stdout).notes.join('\n')).toMatch(/renames were not detected: .* partial clone/);
  });

  it('a partial clone with origin there: exit 2 saying what to fetch, not one lazy fetch per blob behind the scan', async () => {
    const o = planted();
    const dir = join(tempDir('sg-l-'), 'c');
    clone(['--filter=blob:none'], o.url, dir);
    const got = await scanBounded('history', dir, {});
    expect(got.code, got.stderr).toBe(2);
    expect(got.stderr).toMatch(PARTIAL);
    // Nothing was fetched: the same objects are still missing.
    expect(gitIn(dir, ['rev-list', '--objects', '--missing=print', '--all'])).toMatch(/^\?/m);
    // After the fetch the advice names, the scan reads it all and finds what a full clone finds.
    gitIn(dir, ['fetch', '-q', '--refetch', '--no-filter', 'origin']);
    const full = join(tempDir('sg-l-'), 'full');
    clone([], o.bare, full);
    const after = scan('history', dir, {});
    expect(after.code, after.stderr).toBe(1);
    expect(after.keys).toEqual(scan('history', full, {}).keys);
  });
});
