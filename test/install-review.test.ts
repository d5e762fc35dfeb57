/**
 * A seeded differential over the setups developers have when they run `secret-guard install`:
 * where git runs hooks from (`.git/hooks`, a linked worktree, `--separate-git-dir`, a submodule,
 * core.hooksPath in the repository's or the global config, relative or absolute, not made yet),
 * what hook is there already (another tool's script, a non-executable file, a link to a script
 * elsewhere, CRLF line endings, no shebang, an older hook of ours, the pre-commit framework's) and
 * how install is run (from the top or a subfolder, with --chain or not, twice).
 *
 * The oracle is git itself: when install exits 0, real commits (plain, `-a`, with a pathspec, from
 * a subfolder, from every worktree) that stage a generated token are stopped, a clean commit
 * passes, and the other tool's hook does exactly what it did before install (runs or not, passes
 * or not). When install exits non-zero it says what to do and leaves the old hook as it was.
 * SEED=<n> replays a run; CASES=<n> draws more cases.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKER } from '../src/commands/install.js';
import { BIN, cli } from './helpers/cli.js';
import { seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, GIT_IDENTITY, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const PATH = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'secret-guard'))).join(delimiter);
const HAS_PRE_COMMIT = spawnSync('pre-commit', ['--version']).status === 0;

interface World {
  root: string;
  env: Record<string, string>;
  /** Where install is run and where commits are made from: every checkout git would run the hook for. */
  top: string;
  checkouts: string[];
  mark: string;
}

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  // A hook that hangs is a failure of the case, not of the run.
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function gitOk(cwd: string, env: Record<string, string>, ...args: string[]): string {
  const r = sh('git', args, cwd, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${r.out}`);
  return r.out;
}

const LAYOUTS = ['git-hooks', 'separate-git-dir', 'submodule', 'local-relative', 'local-absolute', 'local-missing', 'global', 'global-relative'] as const;
const EXISTING = ['none', 'script', 'not-executable', 'link', 'crlf', 'no-shebang', 'named-by-its-file', 'older-ours', 'pre-commit-framework'] as const;
type Layout = (typeof LAYOUTS)[number];
type Existing = (typeof EXISTING)[number];

interface Case {
  layout: Layout;
  existing: Existing;
  hook: 'pre-commit' | 'commit-msg' | 'pre-push';
  fromSub: boolean;
  chain: boolean;
  twice: boolean;
  /** A linked worktree (`git worktree add`) next to the checkout: commits are made from both. */
  worktree: boolean;
  installFromWorktree: boolean;
}

function draw(r: Random): Case {
  const hook = r.pick(['pre-commit', 'pre-commit', 'commit-msg', 'pre-push'] as const);
  const layout = r.pick(LAYOUTS);
  let existing = r.pick(EXISTING);
  // `pre-commit install` refuses to work under core.hooksPath.
  if (existing === 'pre-commit-framework' && (!HAS_PRE_COMMIT || hook !== 'pre-commit' || /local|global/.test(layout))) existing = 'script';
  // git 2.39's push waits forever when its pre-push hook cannot start (a CRLF shebang), before any install.
  if (existing === 'crlf' && hook === 'pre-push') existing = 'no-shebang';
  return { layout, existing, hook, fromSub: r.chance(0.4), worktree: r.chance(0.5), chain: r.chance(0.6), twice: r.chance(0.3), installFromWorktree: r.chance(0.5) };
}

/** The pre-commit framework's config, committed with the project: one local hook that leaves a mark. */
const frameworkConfig = (c: Case, mark: string) =>
  `repos:\n  - repo: local\n    hooks:\n      - id: mark\n        name: mark\n        entry: sh -c 'echo ${c.hook} ran >> ${mark}'\n        language: system\n        pass_filenames: false\n        always_run: true\n`;

/** The repository of the case, with this build of secret-guard in its top's node_modules as a devDependency puts it. */
function world(c: Case): World {
  const root = tempDir('sg-ir-');
  const home = join(root, 'home');
  mkdirSync(home);
  const globalConfig = join(root, 'gitconfig');
  writeFileSync(globalConfig, '');
  const env = { ...GIT_IDENTITY, HOME: home, GIT_CONFIG_GLOBAL: globalConfig, PATH, NO_COLOR: '1', PRE_COMMIT_HOME: join(root, 'pc-cache') };
  const mark = join(root, 'mark');
  let top = join(root, 'repo');
  const init = (dir: string, extra: string[] = []) => {
    gitOk(root, env, 'init', '-q', '-b', 'main', ...extra, dir);
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'app.js'), 'console.log(1)\n');
    writeFileSync(join(dir, 'README.md'), 'hello\n');
    if (c.existing === 'pre-commit-framework') writeFileSync(join(dir, '.pre-commit-config.yaml'), frameworkConfig(c, mark));
    gitOk(dir, env, 'add', '.');
    gitOk(dir, env, 'commit', '-q', '--no-verify', '-m', 'init');
  };
  const withModules = (dir: string) => {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(BIN, join(dir, 'node_modules', '.bin', 'secret-guard'));
  };
  const checkouts = [top];
  if (c.layout === 'separate-git-dir') init(top, ['--separate-git-dir', join(root, 'gitdir')]);
  else init(top);
  withModules(top);
  if (c.layout === 'submodule') {
    const lib = join(root, 'lib-origin');
    init(lib);
    gitOk(top, env, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'lib');
    gitOk(top, env, 'commit', '-q', '--no-verify', '-m', 'submodule');
    // The developer works in the submodule; secret-guard is the superproject's devDependency.
    top = join(top, 'lib');
    checkouts.splice(0, 1, top);
  }
  if (c.layout === 'local-relative') gitOk(top, env, 'config', 'core.hooksPath', '.githooks');
  if (c.layout === 'local-absolute') gitOk(top, env, 'config', 'core.hooksPath', join(root, 'hooks-abs'));
  if (c.layout === 'local-missing') gitOk(top, env, 'config', 'core.hooksPath', join(root, 'not', 'yet', 'hooks'));
  if (c.layout === 'global') writeFileSync(globalConfig, `[core]\n\thooksPath = ${join(root, 'global-hooks')}\n`);
  if (c.layout === 'global-relative') writeFileSync(globalConfig, '[core]\n\thooksPath = .hooks\n');
  gitOk(root, env, 'init', '-q', '--bare', join(root, 'gate.git'));
  gitOk(top, env, 'remote', 'add', 'gate', join(root, 'gate.git'));
  if (c.worktree) {
    const wt = join(root, 'wt');
    gitOk(top, env, 'worktree', 'add', '-q', '-b', 'side', wt);
    checkouts.push(wt);
  }
  if (c.layout === 'local-relative' && c.existing !== 'none') mkdirSync(join(top, '.githooks'));
  return { root, env, top, checkouts, mark };
}

function hooksDir(w: World, from: string): string {
  return gitOk(from, w.env, 'rev-parse', '--path-format=absolute', '--git-path', 'hooks').trim();
}

/** Puts the other tool's hook in place; each one that runs appends a line to the mark file. */
function plant(w: World, c: Case): void {
  if (c.existing === 'none') return;
  const dir = hooksDir(w, w.top);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, c.hook);
  const body = `echo ${c.hook} ran >> '${w.mark}'\nexit 0\n`;
  switch (c.existing) {
    case 'script':
      writeFileSync(file, `#!/bin/sh\n${body}`, { mode: 0o755 });
      break;
    case 'not-executable':
      writeFileSync(file, `#!/bin/sh\n${body}`, { mode: 0o644 });
      break;
    case 'link': {
      const elsewhere = join(w.root, 'tools', 'hook.sh');
      mkdirSync(join(w.root, 'tools'));
      writeFileSync(elsewhere, `#!/bin/sh\n${body}`, { mode: 0o755 });
      symlinkSync(elsewhere, file);
      break;
    }
    case 'crlf':
      writeFileSync(file, `#!/bin/sh\r\n${body.replace(/\n/g, '\r\n')}`, { mode: 0o755 });
      break;
    case 'named-by-its-file':
      // husky 4's and overcommit's way: the hook's name is its file's name.
      writeFileSync(file, `#!/bin/sh\nhookName=$(basename "$0")\n[ "$hookName" = ${c.hook} ] || exit 0\n${body}`, { mode: 0o755 });
      break;
    case 'no-shebang':
      writeFileSync(file, body, { mode: 0o755 });
      break;
    case 'older-ours':
      // An older hook of ours ran the scan too, from the top's node_modules.
      writeFileSync(
        file,
        `#!/bin/sh\n# ${MARKER} (an older secret-guard)\n./node_modules/.bin/secret-guard ${{ 'pre-commit': 'scan --staged', 'commit-msg': 'scan --commit-msg "$1"', 'pre-push': 'scan --pre-push "$@"' }[c.hook]} || exit $?\n`,
        { mode: 0o755 },
      );
      break;
    case 'pre-commit-framework': {
      const r = sh('pre-commit', ['install', '--hook-type', c.hook], w.top, w.env);
      if (r.code !== 0) throw new Error(`pre-commit install: ${r.out}`);
      break;
    }
  }
}

const marks = (w: World) => (existsSync(w.mark) ? readFileSync(w.mark, 'utf8').split('\n').filter(Boolean).length : 0);
const headOf = (w: World, dir: string) => gitOk(dir, w.env, 'rev-parse', 'HEAD').trim();

type Kind = 'plain' | '-a' | 'pathspec' | 'subfolder';
const KINDS: Kind[] = ['plain', '-a', 'pathspec', 'subfolder'];

let counter = 0;
/** One real commit of a change, the token in the file (pre-commit) or in the message (commit-msg). */
function commitOnce(w: World, c: Case, dir: string, kind: Kind, token: string | undefined) {
  const n = ++counter;
  const tracked = join(dir, 'src', 'settings.env.txt');
  const line = c.hook !== 'commit-msg' && token ? `POSTMARK_SERVER_TOKEN=${token}\n` : `RUN=${n}\n`;
  const message = c.hook === 'commit-msg' && token ? `configure mail\n\nPOSTMARK_SERVER_TOKEN=${token}\n` : `change ${n}`;
  const args = ['commit', '-q', '-m', message];
  let cwd = dir;
  if (kind === '-a') {
    // -a stages a tracked file's change into a temporary index: the file must be tracked already.
    if (!existsSync(tracked)) {
      writeFileSync(tracked, 'RUN=0\n');
      gitOk(dir, w.env, 'add', 'src/settings.env.txt');
      gitOk(dir, w.env, 'commit', '-q', '--no-verify', '-m', 'tracked');
    }
    writeFileSync(tracked, line);
    args.push('-a');
  } else if (kind === 'pathspec') {
    const f = join(dir, 'src', `p${n}.env.txt`);
    writeFileSync(f, line);
    gitOk(dir, w.env, 'add', relative(dir, f));
    args.push('--', relative(dir, f));
  } else {
    const f = join(dir, 'src', `c${n}.env.txt`);
    writeFileSync(f, line);
    gitOk(dir, w.env, 'add', relative(dir, f));
    if (kind === 'subfolder') cwd = join(dir, 'src');
  }
  const before = headOf(w, dir);
  const marksBefore = marks(w);
  let r = sh('git', args, cwd, w.env);
  let committed = headOf(w, dir) !== before;
  if (c.hook === 'pre-push' && committed) {
    // The commit is made; the push to the team's server is what the hook decides.
    const ref = `refs/heads/${dir === w.top ? 'work' : 'side-work'}`;
    r = sh('git', ['push', '-q', 'gate', `HEAD:${ref}`], cwd, w.env);
    committed = sh('git', ['--git-dir', join(w.root, 'gate.git'), 'rev-parse', '--verify', '-q', ref], w.root, w.env).out.trim() === headOf(w, dir);
    if (!committed) gitOk(dir, w.env, 'reset', '-q', '--hard', 'HEAD~1');
  } else if (c.hook === 'pre-push') committed = false;
  // Leave nothing staged for the next commit.
  if (!committed) {
    gitOk(dir, w.env, 'reset', '-q', '--hard', 'HEAD');
    gitOk(dir, w.env, 'clean', '-qfd', 'src');
  }
  return { committed, ran: marks(w) - marksBefore, out: r.out };
}

function runCase(seed: number, c: Case): void {
  const what = `SEED=${seed} ${JSON.stringify(c)}`;
  if (process.env.SHOW) console.log(what);
  const w = world(c);
  plant(w, c);
  const hookFile = join(hooksDir(w, w.top), c.hook);
  // What the other tool's hook does without secret-guard: the differential's other side.
  // Per checkout: with a relative core.hooksPath each one has hooks of its own.
  const baselines = new Map(w.checkouts.map((d) => [d, commitOnce(w, c, d, 'plain', undefined)]));

  const before = existsSync(hookFile) || c.existing === 'link' ? readFileSync(hookFile) : undefined;
  const installFrom = c.installFromWorktree && w.checkouts.length > 1 ? w.checkouts[1]! : w.top;
  const cwd = c.fromSub ? join(installFrom, 'src') : installFrom;
  const args = ['install', ...(c.hook === 'pre-commit' ? [] : ['--hook', c.hook])];
  const go = (extra: string[]) => cli([...args, ...extra], cwd, w.env);
  let flags = c.chain ? ['--chain'] : [];
  let r = go(flags);
  if (r.code !== 0 && !c.chain && /--chain/.test(r.stderr)) r = go((flags = ['--chain'])); // what the message tells the developer
  let replaced = false;
  let warned = false;
  if (r.code !== 0 && c.layout.startsWith('global') && /--force/.test(r.stderr)) {
    // The shared folder needs --force, which also replaces a hook that is not ours (and says so):
    // --chain cannot go with it, so the other tool's hook stops running there.
    r = go((flags = ['--force']));
    replaced ||= /replaced .*which was not secret-guard's/.test(r.stderr);
  }
  const gap = /core\.hooksPath is relative .*these checkouts have no secret-guard/s;
  if (r.code !== 0 && gap.test(r.stderr)) {
    // A relative core.hooksPath with a checkout lacking its copy: install in each, as the message says.
    for (const other of w.checkouts.filter((d) => d !== installFrom)) {
      expect(r.stderr, what).toContain(other);
      const there = cli([...args, ...flags], other, w.env);
      if (there.code !== 0) {
        // That checkout's own hook is in the way (not ours): install there says what to do.
        expect(there.stderr, what).toMatch(/^secret-guard: .+\n.*(install|Replace|Move|Set|Add)/m);
        return;
      }
      replaced ||= /replaced .*which was not secret-guard's/.test(there.stderr);
      warned ||= /warning: secret-guard is neither/.test(there.stderr);
    }
    r = go(flags);
    expect(r.code, `${what}\ninstall again after installing in every checkout: ${r.stderr}`).toBe(0);
  }
  if (c.twice && r.code === 0) {
    const again = go(flags);
    expect(again.code, `${what}\nsecond install: ${again.stderr}`).toBe(0);
  }
  if (r.code !== 0) {
    // Install could not make the hook run: it says why and what to do, and the hook there is as it was.
    expect(r.stderr, what).toMatch(/^secret-guard: .+\n.*(install|Replace|Move|Set|Add)/m);
    if (before !== undefined) expect(readFileSync(hookFile), `${what}\n${r.stderr}`).toEqual(before);
    return;
  }
  for (const dir of w.checkouts) {
    const baseline = baselines.get(dir)!;
    for (const kind of KINDS) {
      const leak = commitOnce(w, c, dir, kind, seededToken(seeded(seed + counter)));
      expect(leak.committed, `${what}\n${kind} commit of a token from ${dir} went through:\n${leak.out}\ninstall said: ${r.stdout}${r.stderr}`).toBe(false);
    }
    const clean = commitOnce(w, c, dir, KINDS[counter % KINDS.length]!, undefined);
    // A checkout without secret-guard where the hook looks stops every commit: install warned of that.
    if (!clean.committed && /cannot find secret-guard/.test(clean.out) && (warned || /warning: secret-guard is neither/.test(r.stderr))) continue;
    // Our own older hook, or a replaced one, is no longer the other side: the clean commit passes.
    const passes = replaced || c.existing === 'older-ours' ? true : baseline.committed;
    expect(clean.committed, `${what}\nclean commit from ${dir}: ${clean.out}\ninstall said: ${r.stdout}${r.stderr}`).toBe(passes);
    expect(clean.ran, `${what}\nthe other hook ran ${clean.ran} times (before install: ${baseline.ran}) on a clean commit from ${dir}: ${clean.out}`).toBe(replaced || c.existing === 'older-ours' ? 0 : baseline.ran);
  }
}

const SEED = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
const CASES = Number(process.env.CASES ?? 6);

describe('secret-guard install: a seeded differential over real hook setups', () => {
  it(`every install that exits 0 leaves a hook that git runs and that stops a token (SEED=${SEED})`, () => {
    // Every case runs; the failures are reported together, each with the seed that replays it.
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const seed = SEED + i;
      try {
        runCase(seed, draw(seeded(seed)));
      } catch (err) {
        failures.push((err as Error).message.split('\n').slice(0, 6).join('\n'));
      }
    }
    expect(failures.join('\n\n')).toBe('');
  }, 120_000);
});

/** The defects the differential found, each on its own. */
describe('secret-guard install: hooks that every checkout runs', () => {
  const focused = (c: Partial<Case>): { w: World; c: Case } => {
    const full: Case = { layout: 'git-hooks', existing: 'none', hook: 'pre-commit', fromSub: false, chain: false, twice: false, worktree: false, installFromWorktree: false, ...c };
    return { w: world(full), c: full };
  };
  const token = () => seededToken(seeded(Date.now() % 2 ** 31));

  it('a relative core.hooksPath: a linked worktree without its own copy makes install exit 2 naming it, and the hook file, once committed, satisfies it', () => {
    const { w, c } = focused({ layout: 'local-relative', worktree: true });
    const [main, wt] = w.checkouts as [string, string];
    const r = cli(['install'], main, w.env);
    // Before the fix: exit 0, and a token committed from the worktree went through unscanned.
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(wt);
    expect(r.stderr).toMatch(/Commit \.githooks\/pre-commit/);
    expect(r.stderr).toContain('core.hooksPath');
    expect(commitOnce(w, c, main, 'plain', token()).committed).toBe(false);
    // The hook is one to commit: nothing of this machine in it.
    expect(readFileSync(join(main, '.githooks', 'pre-commit'), 'utf8')).not.toContain(w.root);

    // Following the advice: the hook committed, then present in the worktree's checkout too.
    gitOk(main, w.env, 'add', '.githooks/pre-commit');
    gitOk(main, w.env, 'commit', '-q', '-m', 'the secret-guard hook');
    gitOk(wt, w.env, 'merge', '-q', '--ff-only', 'main');
    const again = cli(['install'], main, w.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    for (const dir of [main, wt]) expect(commitOnce(w, c, dir, 'plain', token()).committed, dir).toBe(false);
  });

  it('a relative core.hooksPath and no other worktree: exit 0, with a note that a later worktree would not have an uncommitted hook', () => {
    const { w } = focused({ layout: 'local-relative' });
    const r = cli(['install'], w.top, w.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: core\.hooksPath is relative .* not committed/);
  });

  it('a linked worktree without node_modules uses the main checkout\'s secret-guard: clean commits pass there, tokens stop', () => {
    const { w, c } = focused({ worktree: true });
    const [main, wt] = w.checkouts as [string, string];
    const r = cli(['install'], main, w.env);
    expect(r.code, r.stderr).toBe(0);
    // Before the fix: every commit in the worktree stopped with "cannot find secret-guard".
    const clean = commitOnce(w, c, wt, 'plain', undefined);
    expect(clean.committed, clean.out).toBe(true);
    expect(commitOnce(w, c, wt, 'plain', token()).committed).toBe(false);
  });

  it('--chain refuses a hook that takes its name from its file name (husky 4, overcommit): kept as pre-commit.chained it would pass without running', () => {
    const { w, c } = focused({ existing: 'named-by-its-file', chain: true });
    plant(w, c);
    const file = join(hooksDir(w, w.top), 'pre-commit');
    const before = readFileSync(file);
    expect(commitOnce(w, c, w.top, 'plain', undefined).ran).toBe(1);
    const r = cli(['install', '--chain'], w.top, w.env);
    // Before the fix: exit 0, and the chained hook ran as "pre-commit.chained", doing nothing.
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/its own file name \(\$0\)/);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${file}.chained`)).toBe(false);
  });

  it("a submodule uses the superproject's secret-guard: install does not warn, clean commits pass, tokens stop", () => {
    const { w, c } = focused({ layout: 'submodule' });
    const r = cli(['install'], w.top, w.env);
    expect(r.code, r.stderr).toBe(0);
    // Before the fix: a warning that secret-guard cannot be found, and every commit stopped.
    expect(r.stderr).toBe('');
    const clean = commitOnce(w, c, w.top, 'subfolder', undefined);
    expect(clean.committed, clean.out).toBe(true);
    expect(commitOnce(w, c, w.top, '-a', token()).committed).toBe(false);
  });
});
