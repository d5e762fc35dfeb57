/**
 * External tools some tests need beyond Node, git and python3, under one policy:
 * - present: the test runs (needTool returns the tool's absolute path);
 * - missing on a developer's machine: the tests that need it are skipped, with one line on stderr
 *   naming the tool and how to get it (`npm test` passes on a machine with only Node, git, python3);
 * - missing under CI (CI=true, as GitHub and GitLab set it): the test file fails, because .ci/run
 *   installs every tool and a skipped test there would hide a broken feature.
 * Every tool is looked up on PATH (never at a fixed path), so a stripped PATH shows what a fresh
 * machine sees.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellWord } from '../../src/core/shell.js';
import { tempDir } from './repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ToolName = 'pre-commit' | 'git-filter-repo' | 'GNU time' | 'script' | 'setpriv' | 'ripgrep' | 'sarif-multitool';

interface Tool {
  /** The absolute path of a working copy of the tool, or null. */
  find: () => string | null;
  /** How to get it, as a command. */
  hint: string;
}

/** The first executable called `name` in PATH's directories. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** `name` on PATH, if `args` runs it successfully and its output matches `expect`. */
function working(name: string, args: string[], expect: RegExp = /./): string | null {
  const file = onPath(name);
  if (!file) return null;
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && expect.test(`${r.stdout}${r.stderr}`) ? file : null;
}

const TOOLS: Record<ToolName, Tool> = {
  'pre-commit': { find: () => working('pre-commit', ['--version'], /pre-commit \d/), hint: 'pip install pre-commit (or apt-get install pre-commit)' },
  // git runs `git filter-repo` from PATH (or its exec-path); the script itself is what is missing.
  'git-filter-repo': {
    find: () => (working('git-filter-repo', ['--version']) ?? (spawnSync('git', ['filter-repo', '--version'], { encoding: 'utf8' }).status === 0 ? 'git filter-repo' : null)),
    hint: 'apt-get install git-filter-repo (or pip install git-filter-repo)',
  },
  'GNU time': { find: () => working('time', ['--version'], /GNU/), hint: 'apt-get install time' },
  script: { find: () => working('script', ['--version'], /util-linux/), hint: 'apt-get install bsdutils (util-linux `script`)' },
  setpriv: { find: () => working('setpriv', ['--version'], /util-linux/), hint: 'apt-get install util-linux' },
  ripgrep: { find: () => working('rg', ['--version'], /ripgrep/), hint: 'apt-get install ripgrep' },
  'sarif-multitool': {
    find: () => {
      if (process.platform !== 'linux') return null;
      const bin = join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');
      if (!existsSync(bin)) return null;
      return spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 }).status === 0 ? bin : null;
    },
    hint: 'npm install --no-save @microsoft/sarif-multitool (Linux; about 100 MB)',
  },
};

/** Whether this run is CI, where a missing tool is an error rather than a skip. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

const cache = new Map<ToolName, string | null>();

/**
 * The path of `name`, or null when it is missing and the caller should skip `what` (one line is
 * printed saying so). Under CI a missing tool throws, failing the test file.
 */
export function needTool(name: ToolName, what: string): string | null {
  if (!cache.has(name)) cache.set(name, TOOLS[name].find());
  const found = cache.get(name) ?? null;
  if (found) return found;
  const hint = TOOLS[name].hint;
  if (underCi()) throw new Error(`${name} is not installed, and CI=true requires it (.ci/run installs it): ${hint}`);
  console.warn(`secret-guard tests: skipped ${what}: ${name} is not installed; get it with ${hint}`);
  return null;
}

/**
 * Each copy of a tool to test with, one per version: `onPath` (what needTool found), then the paths
 * the environment variable `also` names (separated as in PATH). Two copies of one version run once.
 * `version` throws for a copy that does not run: a path in `also` was asked for.
 */
export function copiesByVersion(onPath: string | null, also: string, version: (bin: string) => string): Array<{ bin: string; version: string }> {
  const out = new Map<string, string>();
  for (const bin of [...(onPath ? [onPath] : []), ...(process.env[also] ?? '').split(delimiter).filter(Boolean)]) {
    const v = version(bin);
    if (!out.has(v)) out.set(v, bin);
  }
  return [...out].map(([v, bin]) => ({ bin, version: v }));
}

/** A git filter-repo to run the remediate tests with, and how to make git run it. */
export interface FilterRepoCopy {
  /** What its `--version` prints: a commit id, not a release number (Debian bookworm's 2.38 prints ae71fad1d03f, PyPI's 2.47.0 a40bce548d2c). */
  version: string;
  /** Whether its help lists --sensitive-data-removal (2.47 and later): remediate's plan has it exactly then. */
  sensitiveDataRemoval: boolean;
  /** A folder whose git-filter-repo is this copy, or null when git finds it in its exec-path. */
  dir: string | null;
  /** What to add to the environment of a secret-guard or git that must use this copy ({} for the one on PATH). */
  env: Record<string, string>;
  /** The same for a bash script: lines to run first. */
  exportPath: string[];
  /** For test titles. */
  title: string;
}

/** `git-filter-repo ARGS`, or `git filter-repo ARGS` for the one git finds in its exec-path. */
function runFilterRepo(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const [cmd, pre] = bin === 'git filter-repo' ? ['git', ['filter-repo']] : [bin, []];
  return spawnSync(cmd, [...pre, ...args], { cwd: tmpdir(), env, encoding: 'utf8', timeout: 30_000 });
}

function filterRepoVersion(bin: string): string {
  const r = runFilterRepo(bin, ['--version']);
  const v = r.stdout?.trim();
  if (r.status !== 0 || !v) throw new Error(`${bin} --version: ${r.stdout}${r.stderr}${r.error ?? ''}`);
  return v;
}

/**
 * A folder holding nothing but a git-filter-repo link to `bin`: first on PATH, it changes which
 * filter-repo git runs and nothing else (a venv's folder would bring its python3 and pre-commit
 * along). A temp folder of the calling test file, removed by its cleanupAll.
 */
function shimFor(bin: string): string {
  const dir = tempDir('sg-filter-repo-');
  symlinkSync(resolve(bin), join(dir, 'git-filter-repo'));
  return dir;
}

let detected: Array<{ bin: string; version: string; sensitiveDataRemoval: boolean; onPath: boolean }> | undefined;

/**
 * Each git filter-repo to run the remediate tests with, one per version: the one on PATH, and those
 * SG_TEST_FILTER_REPO_ALSO names (paths, separated as in PATH). .ci/run gives Debian bookworm's
 * 2.38 on PATH and PyPI's newest in a venv. The plan secret-guard prints depends on the version
 * (src/remediate/filter-repo.ts reads the options from `git filter-repo -h`), so a test runs
 * secret-guard and the printed commands with the same copy first on PATH; each copy is checked to
 * be the one git then runs (one in git's exec-path would win over PATH).
 */
export function filterRepoCopies(what: string): FilterRepoCopy[] {
  const onPath = needTool('git-filter-repo', what);
  detected ??= copiesByVersion(onPath, 'SG_TEST_FILTER_REPO_ALSO', filterRepoVersion).map(({ bin, version }) => ({
    bin,
    version,
    sensitiveDataRemoval: /--sensitive-data-removal\b/.test(runFilterRepo(bin, ['-h']).stdout ?? ''),
    onPath: bin === onPath,
  }));
  return detected.map(({ bin, version, sensitiveDataRemoval, onPath: first }) => {
    const dir = first ? (isAbsolute(bin) ? dirname(bin) : null) : shimFor(bin);
    const env: Record<string, string> = first ? {} : { PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` };
    const got = runFilterRepo('git filter-repo', ['--version'], { ...process.env, ...env }).stdout?.trim();
    if (got !== version) throw new Error(`${bin} (${version}) first on PATH, git filter-repo still runs ${got || 'nothing'}: one in git's exec-path (git --exec-path) wins over PATH`);
    return {
      version,
      sensitiveDataRemoval,
      dir,
      env,
      exportPath: first ? [] : [`export PATH=${shellWord(dir!)}${delimiter}"$PATH"`],
      title: `git filter-repo ${version}, ${sensitiveDataRemoval ? 'with' : 'without'} --sensitive-data-removal`,
    };
  });
}
