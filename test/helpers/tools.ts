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
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
