/**
 * A finding's fix as fits the moment it is read in. At commit time (`scan --staged`) nothing has
 * left the machine: the fix is to unstage and move the value to the environment, and rotation
 * would be noise. In history and in a range the token was committed: the rule's `fix`, which
 * says how to rotate, applies. A placeholder is not a token: nothing to rotate, whatever the mode.
 *
 * The words are data: a rule carries `fix` (committed), `fixStaged` (commit time) and
 * `fixPlaceholder` (a stand-in value) in rules/*.yml; a rule without them gets the sentences below.
 */
import { shellWord } from '../core/shell.js';
import type { Finding, RuleSpec } from '../core/types.js';
import type { ScanResult } from './result.js';

const NOTHING_LEFT = 'Nothing has left this machine yet: there is nothing to rotate.';
const STAGED_FIX = `Take the value out of the file and read it from the environment or a secret manager, then \`git add\` the file again. ${NOTHING_LEFT}`;
const PLACEHOLDER_FIX = 'This value reads as a stand-in, not a token, so there is nothing to rotate: read the value from the environment or a secret manager all the same, so a real token never lands here.';

/**
 * The fix for a secrets file (`.env`) found where git would take it. `ignored`: .gitignore already
 * ignores the path, so it was force-added (`git add -f`), and "add it to .gitignore" would be wrong.
 */
function pathFix(f: Finding, spec: RuleSpec, mode: ScanResult['mode'], ignored: boolean): string | undefined {
  const rm = `\`git rm --cached -- ${shellWord(f.path)}\``;
  if (mode === 'staged') {
    const ignore = ignored ? ' .gitignore already ignores it: it was force-added (`git add -f`), so leave it out of the next `git add`.' : ' Add it to .gitignore.';
    return `Unstage it: ${rm} (your copy stays).${ignore} ${spec.fixStaged ?? spec.fix} ${NOTHING_LEFT}`;
  }
  if ((mode === 'worktree' || mode === 'files') && ignored) {
    // Only a tracked file is scanned while ignored: git add -f put it there.
    return `${spec.fix} It is tracked although .gitignore ignores it (it was force-added): run ${rm}; if it was ever committed, rotate what it held.`;
  }
  return undefined;
}

/**
 * Rewrites each finding's `fix` for the moment of the scan, so every format says the same. The
 * paths of secrets-file findings are checked against .gitignore (`git check-ignore --no-index`,
 * which answers for tracked files too) only when there are some.
 */
export async function fitFixes(result: ScanResult, specs: ReadonlyMap<string, RuleSpec>): Promise<void> {
  const paths = result.mode === 'history' || result.mode === 'range' ? [] : result.findings.filter((f) => f.kind === 'path').map((f) => f.path);
  const ignored = paths.length ? await ignoredPaths(result.root, paths) : new Set<string>();
  for (const f of result.findings) {
    const spec = specs.get(f.ruleId);
    if (!spec) continue;
    if (f.kind === 'path') {
      f.fix = pathFix(f, spec, result.mode, ignored.has(f.path)) ?? f.fix;
    } else if (f.placeholder) {
      // The engine judged the value a stand-in (`your-token-here`).
      f.fix = spec.fixPlaceholder ?? PLACEHOLDER_FIX;
    } else if (result.mode === 'staged') {
      f.fix = spec.fixStaged ?? STAGED_FIX;
    }
  }
}

async function ignoredPaths(root: string, paths: string[]): Promise<Set<string>> {
  const { gitRaw, splitNul } = await import('../sources/git.js');
  // Exit 1 means "none ignored"; anything else leaves the engine's wording, which is never unsafe.
  const r = await gitRaw(['check-ignore', '--no-index', '-z', '--stdin'], root, `${paths.join('\0')}\0`);
  return r.code === 0 ? new Set(splitNul(r.stdout)) : new Set();
}
