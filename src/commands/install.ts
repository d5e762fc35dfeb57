/**
 * `secret-guard install [--hook pre-commit|pre-push|commit-msg|pre-receive]`: writes the git hook
 * that runs the matching scan (`scan --staged`, `--pre-push`, `--commit-msg`, `--pre-receive`).
 *
 * The hook goes where git will run it: `git rev-parse --path-format=absolute --git-path hooks`
 * resolves core.hooksPath (relative to the work tree, `~`) and linked worktrees the way git does.
 * A relative core.hooksPath is resolved by git against each worktree's own top, so every linked
 * worktree needs its own copy: install exits 2 naming the checkouts that lack one (their commits
 * would go through unscanned), and notes when the hook is not committed (a later worktree lacks it).
 * A hook that is not ours is never replaced silently: install refuses (exit 2) and names
 * `--chain` (keep it as <hook>.chained, run it first) and `--force` (replace it). Under husky
 * the hooks folder belongs to husky, so the scan is added to husky's own script for that hook.
 * Client hooks need a work tree; the pre-receive hook is for the server's (usually bare) repository.
 *
 * Writes never go through a symbolic link: a link at the hook's path (a committed
 * `.husky/pre-commit` pointing elsewhere) is refused, and the new file is created under a fresh
 * random name with O_EXCL in the hooks folder, then renamed into place, so a name planted in a
 * shared folder cannot redirect the write. A hooks folder that others can write is warned about.
 *
 * The hook itself only reads: it runs the scan and passes its exit status on, so findings (1)
 * and a scan that did not complete (2) both stop the commit or push, and a hook that cannot find
 * secret-guard stops it too, saying how to install it. It prints nothing when the change is clean.
 * It looks for secret-guard where install checked: the node_modules of the package install was
 * run from (a monorepo's `web/`), the repository's top, then by absolute path the one install found
 * in this, the main or the superproject's checkout (a linked worktree or a submodule has no
 * node_modules of its own), then PATH; the server hook first at the absolute path of the
 * secret-guard that installed it. `--chain` refuses a hook that takes its name from its file name.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { GitError, UsageError } from '../errors.js';
import { git, gitRaw, listWorktrees, requireRepo } from '../sources/git.js';
import { HOOKS, type HookName } from '../scan/modes.js';

export const CHAINED = 'pre-commit.chained';
const chainedName = (hook: HookName) => `${hook}.chained`;
export const MARKER = 'secret-guard:managed-hook';
const BEGIN = `# >>> secret-guard (${MARKER}; written by \`secret-guard install\`, replaced when it runs again)`;
const END = '# <<< secret-guard';

/** The scan each hook runs; the hooks that git feeds on standard input get it replayed from $input. */
const SCAN: Record<HookName, string> = {
  'pre-commit': 'scan --staged',
  'pre-push': 'scan --pre-push "$@"',
  'commit-msg': 'scan --commit-msg "$1"',
  // Errors too on standard output: GitHub Enterprise shows the pusher only that.
  'pre-receive': 'scan --pre-receive 2>&1',
};
const READS_STDIN = (hook: HookName) => hook === 'pre-push' || hook === 'pre-receive';
const WHAT: Record<HookName, string> = { 'pre-commit': 'commit', 'commit-msg': 'commit', 'pre-push': 'push', 'pre-receive': 'push' };

/** This package's bin, for the server hook (a server has no project node_modules to look in). */
const OWN_BIN = fileURLToPath(new URL('../../bin/secret-guard.js', import.meta.url));

/**
 * How to install secret-guard, as the hook and install's warnings say it. Never the bare name: it
 * is not published, so `npm install secret-guard` gets whatever someone else put there. No
 * apostrophe: the hook echoes these in single quotes.
 */
const PINNED = 'git+https://<its repository>#<commit>, as its README says under Install; not the package of that name on the npm registry';
const INSTALL_LOCAL = `npm install --save-dev ${PINNED}`;
const INSTALL_GLOBAL = `npm install --global --install-links ${PINNED}`;

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The lines that run the scan, shared by our own hook file and husky's script: the candidates in
 * order (never npx, which would download whatever version is current in the middle of a commit),
 * then PATH.
 */
export function block(hook: HookName, candidates: string[], replay = false): string {
  const what = WHAT[hook];
  return [
    BEGIN,
    'secret_guard=',
    `for c in ${candidates.map(shq).join(' ')}; do [ -x "$c" ] && { secret_guard=$c; break; }; done`,
    '[ -n "$secret_guard" ] || secret_guard=$(command -v secret-guard) || {',
    `  echo 'secret-guard: the ${hook} hook cannot find secret-guard, so the ${what} was stopped.' >&2`,
    `  echo 'Looked in: ${candidates.join(', ').replace(/'/g, '')} and PATH.' >&2`,
    hook === 'pre-receive'
      ? `  echo 'Install it on the server (${INSTALL_GLOBAL}) and run secret-guard install --hook pre-receive again.' >&2`
      : `  echo 'Install it in this repository (${INSTALL_LOCAL}).' >&2`,
    '  exit 1',
    '}',
    replay ? `printf '%s\\n' "$input" | "$secret_guard" ${SCAN[hook]} || exit $?` : `"$secret_guard" ${SCAN[hook]} || exit $?`,
    END,
  ].join('\n');
}

/** Our hook file. The chained hook runs first: a formatter there may change what is staged. */
function hookScript(hook: HookName, candidates: string[]): string {
  const stdin = READS_STDIN(hook);
  return [
    '#!/bin/sh',
    `# secret-guard ${hook} hook. The ${WHAT[hook]} stops when it brings a Postmark credential`,
    '# (exit 1) or when the scan cannot complete (exit 2).',
    `# A hook kept with \`secret-guard install --hook ${hook} --chain\` (${chainedName(hook)}) runs first; git's rule`,
    '# applies to it too: it runs only if it is executable, and its failure stops it.',
    ...(stdin ? ['# git gives this hook the ref updates on standard input; both hooks get them.', 'input=$(cat)'] : []),
    `chained="$(dirname -- "$0")/${chainedName(hook)}"`,
    stdin
      ? `if [ -x "$chained" ]; then printf '%s\\n' "$input" | "$chained" "$@" || exit $?; fi`
      : 'if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi',
    block(hook, candidates, stdin),
    '',
  ].join('\n');
}

type Husky = { version: 'v9' | 'v5-8'; script: string };

/**
 * husky v9 points core.hooksPath at `<dir>/_` (generated, git-ignored, rewritten by `husky`) and
 * runs `<dir>/<hook>`; husky 5–8 points it at `<dir>`, whose `_/husky.sh` the scripts source.
 */
function huskyOf(hooksDir: string, hook: HookName): Husky | undefined {
  if (basename(hooksDir) === '_' && (existsSync(join(hooksDir, 'h')) || existsSync(join(hooksDir, 'husky.sh')))) {
    return { version: 'v9', script: join(dirname(hooksDir), hook) };
  }
  if (existsSync(join(hooksDir, '_', 'husky.sh'))) return { version: 'v5-8', script: join(hooksDir, hook) };
  return undefined;
}

const withoutBlock = (text: string): string => {
  const start = text.indexOf(BEGIN);
  if (start === -1) return text;
  const end = text.indexOf(END, start);
  const stop = end === -1 ? text.length : end + END.length;
  return (text.slice(0, start) + text.slice(stop).replace(/^\n/, '')).replace(/\n{3,}$/, '\n\n');
};

/** A symbolic link at a path install writes is refused: writing would change the file it points to. */
function refuseLink(file: string, show: (p: string) => string): void {
  let link: string | undefined;
  try {
    if (lstatSync(file).isSymbolicLink()) link = readlinkSync(file);
  } catch {
    return;
  }
  if (link !== undefined) {
    throw new UsageError(
      `${show(file)} is a symbolic link (to ${link}); secret-guard does not write through links, so nothing was changed`,
      'Replace the link with a regular file (or remove it) and run secret-guard install again.',
    );
  }
}

/**
 * A folder install writes into is refused when, inside the work tree, it is reached through a
 * symbolic link: a committed `.husky` link to another folder would have the hook written (or
 * removed) there. Only the work tree's part is checked, as only that part comes with a clone; the
 * git directory's own layout is the user's.
 */
function refuseLinkedFolder(dir: string, t: Target): void {
  const rel = relative(t.top, dir);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return;
  const inGit = relative(t.gitDir, dir);
  if (!inGit || (!inGit.startsWith('..') && !isAbsolute(inGit))) return;
  let at = t.top;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    let linked = false;
    try {
      linked = lstatSync(at).isSymbolicLink();
    } catch {
      return;
    }
    if (linked) {
      throw new UsageError(
        `${t.show(at)} is a symbolic link (to ${readlinkSync(at)}), and the hook would be written in ${t.show(dir)} through it; secret-guard does not write through links, so nothing was changed`,
        `Replace the link with a folder of its own (or point core.hooksPath elsewhere) and run secret-guard install again.`,
      );
    }
  }
}

/**
 * Writes `text` at `file` without following a link and without a guessable temporary name: a
 * new file under a random name, created exclusively (O_EXCL: it fails on anything already there,
 * a planted link included), then renamed over the target, which replaces a name, never follows it.
 */
function writeFileSafely(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.secret-guard-${randomBytes(8).toString('hex')}`);
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function isExecutable(file: string): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function onPath(env: CliContext['env']): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d && isExecutable(join(d, 'secret-guard')));
}

interface Target {
  top: string;
  gitDir: string;
  /** core.hooksPath as written, against the work tree: git's answer has folder links resolved already. */
  hooksPathAsSet?: string;
  hooksDir: string;
  bare: boolean;
  show: (p: string) => string;
  /** Where the hook looks for secret-guard before PATH: relative to where git runs it, or absolute. */
  candidates: string[];
  /** core.hooksPath when it is relative: git resolves it against each worktree's own top. */
  relativeHooksPath?: string;
  /** The other checkouts of this repository (`git worktree list`), which run the same hooks. */
  otherWorktrees: string[];
}

/** The checkouts of the repository, main one first, without bare entries and ones whose folder is gone. */
async function worktrees(top: string): Promise<string[]> {
  const list = await listWorktrees(top);
  if (!list) return [top];
  return list.filter((w) => !w.bare && existsSync(w.path)).map((w) => w.path);
}

/**
 * The package install was run from: the nearest folder from the working directory up to the top
 * of the work tree with a package.json or a node_modules/.bin/secret-guard (a monorepo's `web/`).
 */
function packageDir(cwd: string, top: string): string {
  const rel = relative(top, cwd);
  if (rel.startsWith('..')) return top;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules', '.bin', 'secret-guard'))) return dir;
    if (dir === top || dirname(dir) === dir) return top;
  }
}

async function target(ctx: CliContext, hook: HookName, force: boolean): Promise<Target> {
  const repo = await requireRepo(ctx.cwd, 'install');
  if (repo.bare && hook !== 'pre-receive') {
    throw new UsageError(
      `this is a bare repository: nothing is committed or pushed from it, so it has no ${hook} hook to install`,
      'Run `secret-guard install` in a clone, or `secret-guard install --hook pre-receive` here to check what is pushed to it.',
    );
  }
  const top = repo.root;
  const hooksDir = (await git(['rev-parse', '--path-format=absolute', '--git-path', 'hooks'], repo.bare ? repo.gitDir : top)).toString('utf8').trim();
  if (!hooksDir) throw new GitError('git did not say where its hooks are (`git rev-parse --git-path hooks` printed nothing)');
  // core.hooksPath from the global or system config is shared by every repository on the machine.
  const scope = await gitRaw(['config', '--show-scope', '--get', 'core.hooksPath'], top);
  const scoped = scope.code === 0 ? scope.stdout.toString('utf8').replace(/\n$/, '') : '';
  const where = scoped ? scoped.split('\t')[0] : undefined;
  const setTo = scoped.includes('\t') ? scoped.slice(scoped.indexOf('\t') + 1).replace(/^~(?=\/)/, ctx.env.HOME ?? '~') : '';
  if (where && where !== 'local' && where !== 'worktree' && !force) {
    throw new UsageError(
      `core.hooksPath is set in the ${where} git config (${hooksDir}), so a hook there runs for every repository that uses it, including those without secret-guard`,
      'Set it for this repository only (`git config core.hooksPath …`), or run `secret-guard install --force` to install there anyway.',
    );
  }
  const show = (p: string) => {
    const r = relative(top, p);
    return r && !r.startsWith('..') ? r : p;
  };
  let candidates: string[];
  const all = repo.bare ? [] : await worktrees(top);
  if (hook === 'pre-receive') candidates = [OWN_BIN];
  else {
    // Client hooks run at the top of the work tree.
    const pkgDir = packageDir(ctx.cwd, top);
    const pkg = relative(top, pkgDir).split(sep).join('/');
    candidates = [...(pkg ? [`./${pkg}/node_modules/.bin/secret-guard`] : []), './node_modules/.bin/secret-guard'];
    // Then, by absolute path, the secret-guard installed where install looked: the hook also runs
    // in linked worktrees and submodules, whose tops have no node_modules of their own (npm install
    // was run in the main checkout or the superproject), and there it would stop every commit.
    // Not in a hook inside the work tree (a core.hooksPath folder such as .githooks), which is
    // committed and shared: a path of this machine there would differ for everyone who installs.
    const inTree = (d: string) => {
      const r = relative(top, d);
      return !r.startsWith('..') && !isAbsolute(r);
    };
    const committable = inTree(hooksDir) && relative(repo.gitDir, hooksDir).startsWith('..');
    const superTop = (await gitRaw(['rev-parse', '--show-superproject-working-tree'], top)).stdout.toString('utf8').trim();
    const tops = committable ? [] : [top, all[0], superTop].filter((d): d is string => Boolean(d));
    for (const dir of committable ? [] : [pkgDir, ...tops.map((d) => join(d, pkg)), ...tops]) {
      const bin = join(dir, 'node_modules', '.bin', 'secret-guard');
      if (!candidates.includes(bin) && isExecutable(bin)) candidates.push(bin);
    }
  }
  const relativeHooksPath = setTo && !isAbsolute(setTo) && !repo.bare ? setTo : undefined;
  return {
    top,
    gitDir: repo.gitDir,
    hooksDir,
    hooksPathAsSet: setTo && !repo.bare ? resolve(top, setTo) : undefined,
    bare: repo.bare,
    show,
    candidates,
    relativeHooksPath,
    otherWorktrees: all.filter((d) => resolve(d) !== resolve(top)),
  };
}

/**
 * With a relative core.hooksPath each worktree runs its own copy of the hook (git resolves the path
 * against the worktree's top): a checkout whose copy is missing, not executable or not ours commits
 * without the scan, in silence. Those checkouts, and a note when the hook is not committed (a
 * worktree added later would not have it either).
 */
async function relativeHooksGaps(t: Target, hook: HookName): Promise<{ missing: string[]; untracked: boolean }> {
  if (!t.relativeHooksPath) return { missing: [], untracked: false };
  const missing = t.otherWorktrees.filter((wt) => {
    const file = join(resolve(wt, t.relativeHooksPath!), hook);
    return !(isExecutable(file) && readFileSync(file, 'utf8').includes(MARKER));
  });
  const file = join(t.hooksDir, hook);
  const rel = relative(t.top, file);
  const inside = rel && !rel.startsWith('..') && !isAbsolute(rel);
  const tracked = inside && (await gitRaw(['ls-files', '--error-unmatch', '--', rel], t.top)).code === 0;
  return { missing, untracked: !tracked };
}

/** What the hook needs when it runs, checked now where the hook will look, so a missing binary is not a surprise later. */
function reachability(t: Target, ctx: CliContext, hook: HookName): string {
  const found = t.candidates.some((c) => isExecutable(c.startsWith('/') ? c : join(t.top, c))) || onPath(ctx.env);
  const lines: string[] = [];
  if (!found) {
    const where = hook === 'pre-receive' ? `at ${OWN_BIN}` : `in this repository's node_modules (${t.candidates.join(', ')})`;
    const fix = hook === 'pre-receive' ? INSTALL_GLOBAL : INSTALL_LOCAL;
    lines.push(`warning: secret-guard is neither ${where} nor on PATH, so the hook will stop every ${WHAT[hook]} until it is: ${fix}`);
  } else if (hook === 'pre-receive' && /[\\/]_npx[\\/]/.test(OWN_BIN) && !onPath(ctx.env)) {
    lines.push(`warning: this secret-guard runs from npx's cache (${OWN_BIN}), which npm may clear; install it for good (${INSTALL_GLOBAL}) and run install again`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** A hooks folder that other users can write lets them replace the hook: say so. */
function writableByOthers(dir: string, show: (p: string) => string): string {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return '';
  }
  const me = userInfo();
  const who: string[] = [];
  if (st.uid !== me.uid) who.push(`it belongs to another user (uid ${st.uid})`);
  if (st.mode & 0o002) who.push('every user can write it');
  else if (st.mode & 0o020 && st.gid !== me.gid) who.push(`group ${st.gid} can write it`);
  if (!who.length) return '';
  return `warning: the hooks folder ${show(dir)}: ${who.join(', ')}; whoever can write there can replace this hook. Use a folder only you can write (chmod go-w, or a core.hooksPath of your own).\n`;
}

function installHusky(t: Target, husky: Husky, hook: HookName, ctx: CliContext): CommandResult {
  const file = husky.script;
  refuseLink(file, t.show);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  // husky 5–8 scripts are the git hooks themselves: a shebang and husky.sh, and executable.
  const fresh = husky.version === 'v9' ? '' : '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\n';
  const base = before === undefined ? fresh : withoutBlock(before);
  const text = `${base}${base && !base.endsWith('\n') ? '\n' : ''}${block(hook, t.candidates)}\n`;
  const mode = before === undefined ? 0o755 : statSync(file).mode & 0o7777;
  if (text === before) return { exitCode: 0, stdout: `secret-guard is already in husky's ${t.show(file)}; nothing to do\n`, stderr: reachability(t, ctx, hook) };
  writeFileSafely(file, text, husky.version === 'v5-8' ? mode | 0o755 : mode);
  const what = before === undefined ? 'created' : before.includes(BEGIN) ? 'updated the secret-guard lines in' : 'added the secret-guard lines to the end of';
  return {
    exitCode: 0,
    stdout: `husky manages the hooks here (core.hooksPath ${t.show(t.hooksDir)}): ${what} ${t.show(file)}\nCommit ${t.show(file)} so everyone who installs the project runs the scan; secret-guard should be a devDependency.\n`,
    stderr: reachability(t, ctx, hook),
  };
}

function uninstallHusky(t: Target, husky: Husky): CommandResult {
  const file = husky.script;
  refuseLink(file, t.show);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!before.includes(BEGIN)) return { exitCode: 0, stdout: `secret-guard is not in husky's ${t.show(file)}; nothing to remove\n`, stderr: '' };
  const after = withoutBlock(before);
  const empty = after.replace(/^#!.*\n/, '').replace(/^\. "\$\(dirname -- "\$0"\)\/_\/husky\.sh"\n/m, '').trim() === '';
  if (empty) rmSync(file);
  else writeFileSafely(file, after, statSync(file).mode & 0o7777);
  return { exitCode: 0, stdout: `${empty ? 'removed' : 'removed the secret-guard lines from'} ${t.show(file)}\n`, stderr: '' };
}

function foreignHint(text: string): string {
  if (text.includes('File generated by pre-commit')) {
    return 'It is the pre-commit framework\'s hook: add the secret-guard hook to .pre-commit-config.yaml instead (see the README), or use one of these:\n';
  }
  return '';
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const hook = ((args.hook as string | undefined) ?? 'pre-commit') as HookName;
  if (!HOOKS.includes(hook)) throw new UsageError(`--hook ${hook} is not one of ${HOOKS.join(', ')}`);
  const force = Boolean(args.force);
  const chain = Boolean(args.chain);
  const uninstall = Boolean(args.uninstall);
  if (force && chain) throw new UsageError('--force replaces the existing hook and --chain keeps it: choose one');
  if (uninstall && chain) throw new UsageError('--uninstall and --chain do not go together');
  const t = await target(ctx, hook, force);
  const flag = hook === 'pre-commit' ? '' : ` --hook ${hook}`;
  const husky = t.bare || hook === 'pre-receive' ? undefined : huskyOf(t.hooksDir, hook);
  refuseLinkedFolder(t.hooksPathAsSet ?? t.hooksDir, t);
  if (husky && t.hooksPathAsSet) refuseLinkedFolder(dirname(t.hooksPathAsSet), t);
  if (husky) return uninstall ? uninstallHusky(t, husky) : installHusky(t, husky, hook, ctx);

  const file = join(t.hooksDir, hook);
  const chained = join(t.hooksDir, chainedName(hook));
  refuseLink(file, t.show);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const ours = existing !== undefined && existing.includes(MARKER);

  if (uninstall) {
    if (existing === undefined) return { exitCode: 0, stdout: `no ${hook} hook in ${t.show(t.hooksDir)}; nothing to remove\n`, stderr: '' };
    if (!ours) throw new UsageError(`${t.show(file)} is not secret-guard's hook; it was left alone`);
    rmSync(file);
    if (existsSync(chained)) {
      renameSync(chained, file);
      return { exitCode: 0, stdout: `removed the secret-guard hook and put the chained hook back at ${t.show(file)}\n`, stderr: '' };
    }
    return { exitCode: 0, stdout: `removed ${t.show(file)}\n`, stderr: '' };
  }

  const script = hookScript(hook, t.candidates);
  const notes: string[] = [];
  const warn = () => reachability(t, ctx, hook) + writableByOthers(t.hooksDir, t.show) + notes.map((n) => `${n}\n`).join('');
  if (!t.bare && existsSync(join(t.top, '.husky')) && t.hooksDir === join(t.top, '.git', 'hooks')) {
    notes.push(`note: this repository has a .husky folder but core.hooksPath is not set yet; once husky sets it (npm install), git stops running .git/hooks: run \`secret-guard install${flag}\` again then.`);
  }
  if (ours) {
    if (existing === script) return everyWorktree(t, hook, flag, { exitCode: 0, stdout: `the secret-guard ${hook} hook in ${t.show(file)} is up to date\n`, stderr: warn() });
    writeFileSafely(file, script, 0o755);
    return everyWorktree(t, hook, flag, { exitCode: 0, stdout: `updated the secret-guard ${hook} hook in ${t.show(file)}\n`, stderr: warn() });
  }
  if (existing !== undefined) {
    if (chain) {
      if (existsSync(chained) || lstatExists(chained)) {
        throw new UsageError(`${t.show(chained)} already exists, so the hook at ${t.show(file)} cannot be kept under that name`, `Move one of them away, or run \`secret-guard install${flag} --force\` to replace ${t.show(file)}.`);
      }
      if (NAMED_BY_ITS_FILE.test(existing)) {
        throw new UsageError(
          `${t.show(file)} finds out which hook it is from its own file name ($0), so kept as ${chainedName(hook)} it would run as "${chainedName(hook)}" and most likely do nothing; it was left unchanged`,
          `Add secret-guard to the tool that wrote it (its config for the ${hook} hook runs \`secret-guard ${SCAN[hook].replace(/ ".*$/, '')}\`), or run \`secret-guard install${flag} --force\` to replace it.`,
        );
      }
      renameSync(file, chained);
      writeFileSafely(file, script, 0o755);
      return everyWorktree(t, hook, flag, { exitCode: 0, stdout: `kept the existing hook as ${t.show(chained)} (it runs first) and installed the secret-guard ${hook} hook in ${t.show(file)}\n`, stderr: warn() });
    }
    if (!force) {
      throw new UsageError(
        `${t.show(file)} already exists and is not secret-guard's; it was left unchanged`,
        `${foreignHint(existing)}  secret-guard install${flag} --chain   keep it (as ${chainedName(hook)}), run it first, then the scan\n  secret-guard install${flag} --force   replace it`,
      );
    }
    notes.unshift(`replaced ${t.show(file)}, which was not secret-guard's`);
  }
  writeFileSafely(file, script, 0o755);
  return everyWorktree(t, hook, flag, {
    exitCode: 0,
    stdout: `installed the secret-guard ${hook} hook in ${t.show(file)}\n`,
    stderr: warn(),
  });
}

/**
 * Exit 0 only when every checkout will run the hook: with a relative core.hooksPath, a worktree
 * without its own copy commits unscanned, so install says which and exits 2.
 */
async function everyWorktree(t: Target, hook: HookName, flag: string, done: CommandResult): Promise<CommandResult> {
  const { missing, untracked } = await relativeHooksGaps(t, hook);
  const file = t.show(join(t.hooksDir, hook));
  const abs = `git config core.hooksPath ${shq(resolve(t.top, t.relativeHooksPath ?? ''))}`;
  if (missing.length) {
    return {
      exitCode: 2,
      stdout: done.stdout,
      stderr:
        done.stderr +
        `secret-guard: core.hooksPath is relative (${t.relativeHooksPath}), so git runs the hooks of each worktree from that worktree's own ${t.relativeHooksPath}; ` +
        `these checkouts have no secret-guard ${hook} hook there and their commits are not scanned:\n${missing.map((m) => `  ${m}\n`).join('')}` +
        `Commit ${file} so every checkout has it, or run \`secret-guard install${flag}\` in each of them, or make the path absolute (${abs}).\n`,
    };
  }
  if (t.relativeHooksPath && untracked) {
    return {
      ...done,
      stderr: `${done.stderr}note: core.hooksPath is relative (${t.relativeHooksPath}) and ${file} is not committed: a worktree added later (git worktree add) runs hooks from its own ${t.relativeHooksPath} and will not have it. Commit ${file}, or make the path absolute (${abs}).\n`,
    };
  }
  return done;
}

/**
 * A hook that takes its hook name from its own file name (husky 4's `basename "$0"`, overcommit's
 * `File.basename($0)`): renamed to <hook>.chained it would look up a hook of that name, find none
 * and pass, the tool silently off. The pre-commit framework's `dirname "$0"` is only its folder.
 */
const NAMED_BY_ITS_FILE = /basename\s*\(?\s*(--\s+)?"?\$0|\$\{0##\*\/\}/;

function lstatExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
