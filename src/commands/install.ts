/**
 * `secret-guard install`: writes the git pre-commit hook that runs `secret-guard scan --staged`.
 *
 * The hook goes where git will run it: `git rev-parse --path-format=absolute --git-path hooks`
 * resolves core.hooksPath (relative to the work tree, `~`) and linked worktrees the way git does.
 * A hook that is not ours is never replaced silently: install refuses (exit 2) and names
 * `--chain` (keep it as pre-commit.chained, run it first) and `--force` (replace it). Under husky
 * the hooks folder belongs to husky, so the scan is added to husky's own pre-commit script.
 *
 * The hook itself only reads: it runs the scan and passes its exit status on, so findings (1)
 * and a scan that did not complete (2) both stop the commit, and a hook that cannot find
 * secret-guard stops it too, saying how to install it. It prints nothing when the change is clean.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { GitError, UsageError } from '../cli/errors.js';
import { git, gitRaw, requireRepo } from '../sources/git.js';

const HOOK = 'pre-commit';
export const CHAINED = `${HOOK}.chained`;
export const MARKER = 'secret-guard:managed-hook';
const BEGIN = `# >>> secret-guard (${MARKER}; written by \`secret-guard install\`, replaced when it runs again)`;
const END = '# <<< secret-guard';

/**
 * The lines that run the scan, shared by our own hook file and husky's script. The repository's
 * node_modules first (hooks run at the top of the work tree), then PATH; never npx, which would
 * download whatever version is current in the middle of a commit.
 */
export const BLOCK = [
  BEGIN,
  'secret_guard=./node_modules/.bin/secret-guard',
  '[ -x "$secret_guard" ] || secret_guard=$(command -v secret-guard) || {',
  "  echo 'secret-guard: the pre-commit hook cannot find secret-guard, so the commit was stopped.' >&2",
  "  echo 'Install it in this repository (npm install --save-dev secret-guard) or globally (npm install --global secret-guard).' >&2",
  '  exit 1',
  '}',
  '"$secret_guard" scan --staged || exit $?',
  END,
].join('\n');

/** Our hook file. The chained hook runs first: a formatter there may change what is staged. */
export function hookScript(): string {
  return [
    '#!/bin/sh',
    '# secret-guard pre-commit hook. The commit stops when the staged change adds a Postmark',
    '# credential (exit 1) or when the scan cannot complete (exit 2).',
    `# A hook kept with \`secret-guard install --chain\` (${CHAINED}) runs first; git's rule applies`,
    '# to it too: it runs only if it is executable, and its failure stops the commit.',
    `chained="$(dirname -- "$0")/${CHAINED}"`,
    'if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi',
    BLOCK,
    '',
  ].join('\n');
}

type Husky = { version: 'v9' | 'v5-8'; script: string };

/**
 * husky v9 points core.hooksPath at `<dir>/_` (generated, git-ignored, rewritten by `husky`) and
 * runs `<dir>/<hook>`; husky 5–8 points it at `<dir>`, whose `_/husky.sh` the scripts source.
 */
function huskyOf(hooksDir: string): Husky | undefined {
  if (basename(hooksDir) === '_' && (existsSync(join(hooksDir, 'h')) || existsSync(join(hooksDir, 'husky.sh')))) {
    return { version: 'v9', script: join(dirname(hooksDir), HOOK) };
  }
  if (existsSync(join(hooksDir, '_', 'husky.sh'))) return { version: 'v5-8', script: join(hooksDir, HOOK) };
  return undefined;
}

const withoutBlock = (text: string): string => {
  const start = text.indexOf(BEGIN);
  if (start === -1) return text;
  const end = text.indexOf(END, start);
  const stop = end === -1 ? text.length : end + END.length;
  return (text.slice(0, start) + text.slice(stop).replace(/^\n/, '')).replace(/\n{3,}$/, '\n\n');
};

function writeExecutable(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.secret-guard-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, file);
}

function onPath(env: CliContext['env']): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => {
    if (!d) return false;
    try {
      return (statSync(join(d, 'secret-guard')).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

interface Target {
  top: string;
  hooksDir: string;
  show: (p: string) => string;
}

async function target(ctx: CliContext, force: boolean): Promise<Target> {
  const repo = await requireRepo(ctx.cwd, 'install');
  if (repo.bare) throw new UsageError('this is a bare repository: nothing is committed in it, so it has no pre-commit hook to install', 'Run `secret-guard install` in a clone.');
  const top = repo.root;
  const hooksDir = (await git(['rev-parse', '--path-format=absolute', '--git-path', 'hooks'], top)).toString('utf8').trim();
  if (!hooksDir) throw new GitError('git did not say where its hooks are (`git rev-parse --git-path hooks` printed nothing)');
  // core.hooksPath from the global or system config is shared by every repository on the machine.
  const scope = await gitRaw(['config', '--show-scope', '--get', 'core.hooksPath'], top);
  const where = scope.code === 0 ? scope.stdout.toString('utf8').split('\t')[0] : undefined;
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
  return { top, hooksDir, show };
}

/** What the hook needs at commit time, checked now so a missing binary is not a surprise later. */
function reachability(t: Target, ctx: CliContext): string {
  if (existsSync(join(t.top, 'node_modules', '.bin', 'secret-guard')) || onPath(ctx.env)) return '';
  return 'warning: secret-guard is neither in this repository\'s node_modules nor on PATH, so the hook will stop every commit until it is: npm install --save-dev secret-guard\n';
}

function installHusky(t: Target, husky: Husky, ctx: CliContext): CommandResult {
  const file = husky.script;
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  // husky 5–8 scripts are the git hooks themselves: a shebang and husky.sh, and executable.
  const fresh = husky.version === 'v9' ? '' : '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\n';
  const base = before === undefined ? fresh : withoutBlock(before);
  const text = `${base}${base && !base.endsWith('\n') ? '\n' : ''}${BLOCK}\n`;
  const mode = before === undefined ? 0o755 : statSync(file).mode & 0o7777;
  if (text === before) return { exitCode: 0, stdout: `secret-guard is already in husky's ${t.show(file)}; nothing to do\n`, stderr: reachability(t, ctx) };
  writeFileSync(file, text);
  chmodSync(file, husky.version === 'v5-8' ? mode | 0o755 : mode);
  const what = before === undefined ? 'created' : before.includes(BEGIN) ? 'updated the secret-guard lines in' : 'added the secret-guard lines to the end of';
  return {
    exitCode: 0,
    stdout: `husky manages the hooks here (core.hooksPath ${t.show(t.hooksDir)}): ${what} ${t.show(file)}\nCommit ${t.show(file)} so everyone who installs the project runs the scan; secret-guard should be a devDependency.\n`,
    stderr: reachability(t, ctx),
  };
}

function uninstallHusky(t: Target, husky: Husky): CommandResult {
  const file = husky.script;
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!before.includes(BEGIN)) return { exitCode: 0, stdout: `secret-guard is not in husky's ${t.show(file)}; nothing to remove\n`, stderr: '' };
  const after = withoutBlock(before);
  const empty = after.replace(/^#!.*\n/, '').replace(/^\. "\$\(dirname -- "\$0"\)\/_\/husky\.sh"\n/m, '').trim() === '';
  if (empty) rmSync(file);
  else writeFileSync(file, after);
  return { exitCode: 0, stdout: `${empty ? 'removed' : 'removed the secret-guard lines from'} ${t.show(file)}\n`, stderr: '' };
}

function foreignHint(text: string): string {
  if (text.includes('File generated by pre-commit')) {
    return 'It is the pre-commit framework\'s hook: add the secret-guard hook to .pre-commit-config.yaml instead (see the README), or use one of these:\n';
  }
  return '';
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const force = Boolean(args.force);
  const chain = Boolean(args.chain);
  const uninstall = Boolean(args.uninstall);
  if (force && chain) throw new UsageError('--force replaces the existing hook and --chain keeps it: choose one');
  if (uninstall && chain) throw new UsageError('--uninstall and --chain do not go together');
  const t = await target(ctx, force);
  const husky = huskyOf(t.hooksDir);
  if (husky) return uninstall ? uninstallHusky(t, husky) : installHusky(t, husky, ctx);

  const file = join(t.hooksDir, HOOK);
  const chained = join(t.hooksDir, CHAINED);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const ours = existing !== undefined && existing.includes(MARKER);

  if (uninstall) {
    if (existing === undefined) return { exitCode: 0, stdout: `no pre-commit hook in ${t.show(t.hooksDir)}; nothing to remove\n`, stderr: '' };
    if (!ours) throw new UsageError(`${t.show(file)} is not secret-guard's hook; it was left alone`);
    rmSync(file);
    if (existsSync(chained)) {
      renameSync(chained, file);
      return { exitCode: 0, stdout: `removed the secret-guard hook and put the chained hook back at ${t.show(file)}\n`, stderr: '' };
    }
    return { exitCode: 0, stdout: `removed ${t.show(file)}\n`, stderr: '' };
  }

  const script = hookScript();
  const notes: string[] = [];
  if (existsSync(join(t.top, '.husky')) && t.hooksDir === join(t.top, '.git', 'hooks')) {
    notes.push('note: this repository has a .husky folder but core.hooksPath is not set yet; once husky sets it (npm install), git stops running .git/hooks: run `secret-guard install` again then.');
  }
  if (ours) {
    if (existing === script) return { exitCode: 0, stdout: `the secret-guard pre-commit hook in ${t.show(file)} is up to date\n`, stderr: reachability(t, ctx) };
    writeExecutable(file, script);
    return { exitCode: 0, stdout: `updated the secret-guard pre-commit hook in ${t.show(file)}\n`, stderr: reachability(t, ctx) + notes.map((n) => `${n}\n`).join('') };
  }
  if (existing !== undefined) {
    if (chain) {
      if (existsSync(chained)) {
        throw new UsageError(`${t.show(chained)} already exists, so the hook at ${t.show(file)} cannot be kept under that name`, `Move one of them away, or run \`secret-guard install --force\` to replace ${t.show(file)}.`);
      }
      renameSync(file, chained);
      writeExecutable(file, script);
      return { exitCode: 0, stdout: `kept the existing hook as ${t.show(chained)} (it runs first) and installed the secret-guard pre-commit hook in ${t.show(file)}\n`, stderr: reachability(t, ctx) };
    }
    if (!force) {
      throw new UsageError(
        `${t.show(file)} already exists and is not secret-guard's; it was left unchanged`,
        `${foreignHint(existing)}  secret-guard install --chain   keep it (as ${CHAINED}), run it first, then the scan\n  secret-guard install --force   replace it`,
      );
    }
    notes.unshift(`replaced ${t.show(file)}, which was not secret-guard's`);
  }
  writeExecutable(file, script);
  return {
    exitCode: 0,
    stdout: `installed the secret-guard pre-commit hook in ${t.show(file)}\n`,
    stderr: reachability(t, ctx) + notes.map((n) => `${n}\n`).join(''),
  };
}
