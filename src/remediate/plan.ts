/**
 * The next commands, in the order that matters: rotate first; then fix the current code; then a
 * push freeze, a fresh mirror clone, the `git filter-repo` run with the written files, a check of
 * the result, the force-push, re-clones, host-side cleanup (on a self-hosted bare repository:
 * dropping the old objects), and deleting the files that hold the secrets.
 *
 * Steps are data (id, title, commands, notes) so the tests can run the clone, rewrite and check
 * commands exactly as printed. Commands never hold a secret: they name the files, and the remote
 * URL is read by git at run time (a URL may carry credentials of its own).
 */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeControls } from '../core/escape.js';
import { shellWord } from '../core/shell.js';
import { pathToBytes } from '../sources/git.js';
import type { FilterRepo } from './filter-repo.js';
import { tagCheckCommand, tagName } from './tags.js';

export type StepId = 'rotate' | 'code' | 'freeze' | 'clone' | 'rewrite' | 'check' | 'push' | 'reclone' | 'host' | 'expire' | 'cleanup';

export interface PlanStep {
  id: StepId;
  title: string;
  commands: string[];
  notes: string[];
}

export interface WrittenFiles {
  dir: string;
  /** The folder is remediate's to remove: this run created it, or it is the default one in the git directory. */
  ownDir?: boolean;
  rotation: string;
  replacements?: string;
  bfg?: string;
  messages?: string;
  paths?: string;
  /** blob-callback.py: the secrets in blobs --replace-text skips (binaries, UTF-16 and UTF-32 text). */
  blobCallback?: string;
}

export interface PlanInput {
  root: string;
  files: WrittenFiles;
  /** The remote the mirror is cloned from; null: clone this repository itself. */
  remote: string | null;
  /** Branches holding a leak that the remote does not have. */
  localOnlyRefs: string[];
  /** refs/stash exists (a mirror clone of this repository would carry it, and filter-repo refuses a stash). */
  hasStash: boolean;
  filterRepo: FilterRepo;
  /** The config file used, so the check reads the same ignorePaths (a mirror has no work tree to find it in). */
  configFile?: string;
  /** remediate's own --max-file-size and --on-unread accept, so the check reads what remediate read. */
  scanFlags?: string[];
  /** The repository's .secret-guard-ignore, copied into the mirror so the check honours it too. */
  ignoreFile?: string;
  /** Refs to a blob or a tree that hold a leak (name as shown, object the ref names): git filter-repo cannot rewrite them, so the mirror drops them. */
  refsToFiles?: Array<{ name: string; oid: string }>;
  /** Tags (refs/tags/…) whose annotated message holds a leaked secret. */
  tags?: string[];
  /** Paths of committed secrets files (for the check). */
  removedPaths: string[];
  /** Secrets files still in HEAD; and whether any credential is. */
  headFiles: string[];
  secretsInHead: boolean;
  /** Where HEAD's files still hold a leaked credential (path and line), for the code step. */
  headPlaces?: Array<{ path: string; line: number }>;
  /**
   * The command that runs this secret-guard, for the check in the mirror (a devDependency is not on
   * PATH there). Default: this Node and this package's bin, by absolute path.
   */
  self?: string;
  /** Introducing commits, for the host's support request. */
  introducing: string[];
}

/** Shell quoting of every word the plan prints (core/shell.ts): a path cannot run or forge anything. */
export const sh = shellWord;

/**
 * A repository path as a shell word for git. A name that is not UTF-8 comes in its escaped form
 * (`caf\351/.env`: `\ooo` for a byte, `\\` for a backslash, sources/git.ts pathFromBytes), which
 * is ANSI-C quoting's own syntax: `$'caf\351/.env'` hands git the name's bytes.
 */
export function shPath(path: string): string {
  if (pathToBytes(path).equals(Buffer.from(path, 'utf8'))) return sh(path);
  return `$'${escapeControls(path, "'")}'`;
}

/** This Node running this package's bin/secret-guard.js: what the user ran, wherever it is installed. */
function selfCommand(): string {
  const bin = fileURLToPath(new URL('../../bin/secret-guard.js', import.meta.url));
  return `${sh(process.execPath)} ${sh(bin)}`;
}

export function mirrorPath(root: string): string {
  return join(dirname(root), `${basename(root).replace(/\.git$/, '') || 'repository'}-rewrite.git`);
}

function rotate(p: PlanInput): PlanStep {
  return {
    id: 'rotate',
    title: 'Rotate every leaked credential first. Rewriting history does not un-leak a token: whoever cloned or fetched has it.',
    commands: [],
    notes: [`Follow ${p.files.rotation}: one section per credential, with where it was found and its steps (paste a section into a ticket as it is).`],
  };
}

function fixCode(p: PlanInput): PlanStep | null {
  const places = p.headPlaces ?? [];
  if (!p.secretsInHead && !places.length && !p.headFiles.length) return null;
  const notes: string[] = [];
  if (places.length) {
    const shown = places.slice(0, 20).map((w) => `${sh(w.path)} line ${w.line}`).join(', ') + (places.length > 20 ? ` and ${places.length - 20} more` : '');
    notes.push(`HEAD still holds a leaked credential at ${shown}: make the code read the new one from the environment or the secret manager, and commit. (The rewrite would otherwise leave ***…_REMOVED*** where the code expects a token.)`);
  } else if (p.secretsInHead) {
    notes.push('The current code still holds a leaked credential: make it read the new one from the environment or the secret manager, and commit. (The rewrite would otherwise leave ***…_REMOVED*** where the code expects a token.)');
  }
  if (p.headFiles.length) notes.push('Stop tracking the committed secrets files, ignore them, and commit a template (such as .env.example) instead. The rewrite removes them from every commit, the current one included: keep a local copy outside the repository if you still need one.');
  notes.push(p.remote ? `Push that commit to ${p.remote} before the mirror clone, so the rewrite starts from it.` : 'Commit it before the mirror clone, so the rewrite starts from it.');
  return { id: 'code', title: 'Take the leaks out of the current code.', commands: p.headFiles.map((f) => `git -C ${sh(p.root)} rm --cached -- ${shPath(f)}`), notes };
}

/** Between the mirror clone and the forced push, a push to the remote would be lost, or bring the leak back. */
function freeze(p: PlanInput): PlanStep | null {
  if (!p.remote) return null;
  return {
    id: 'freeze',
    title: `Freeze pushes to ${p.remote} from now until the forced push is done.`,
    commands: [],
    notes: [
      'The forced push replaces every branch with the mirror: a commit pushed after the mirror clone is lost, and a push from a clone with the old history brings the leak back. Announce the freeze; where the host allows, make the repository read-only or restrict pushes to whoever runs these steps.',
    ],
  };
}

function clone(p: PlanInput, mirror: string): PlanStep {
  const source = p.remote ? `"$(git -C ${sh(p.root)} remote get-url ${sh(p.remote)})"` : sh(p.root);
  const commands = [`git clone --mirror --no-local ${source} ${sh(mirror)}`, `cd ${sh(mirror)}`];
  const notes = ['A fresh mirror, never this working copy: git filter-repo refuses to rewrite anything else, and every branch and tag comes along.'];
  if (!p.remote && p.hasStash) {
    commands.push('git update-ref -d refs/stash');
    notes.push('The stash is local work, not history to publish; the mirror drops it (filter-repo refuses a stash). Deal with the stash of this clone at the re-clone step.');
  }
  const loose = p.refsToFiles ?? [];
  if (loose.length) {
    commands.push(`git for-each-ref --format='delete %(refname)' ${[...new Set(loose.map((r) => r.oid))].map((o) => `--points-at ${o}`).join(' ')} | git update-ref --stdin`);
    notes.push(`${loose.length === 1 ? 'This ref names' : 'These refs name'} a file or a folder, not a commit, and ${loose.length === 1 ? 'holds' : 'hold'} a leak: ${refList(loose.map((r) => r.name))}. git filter-repo cannot rewrite such a ref (git fast-export skips it), so the mirror drops ${loose.length === 1 ? 'it' : 'them'}, and the forced push deletes ${loose.length === 1 ? 'it' : 'them'} on the remote (the command finds them by the object each names, so every other ref to that object goes too). Re-create ${loose.length === 1 ? 'it' : 'any you need'} from a clean file afterwards (git hash-object -w, git tag).`);
  }
  if (p.remote && p.localOnlyRefs.length) {
    const shown = p.localOnlyRefs.slice(0, 10).join(', ') + (p.localOnlyRefs.length > 10 ? ` and ${p.localOnlyRefs.length - 10} more` : '');
    notes.push(`Branches here that hold a leak and are not on ${p.remote}: ${shown}. They are not in the mirror: push them first, or delete them.`);
  }
  return { id: 'clone', title: 'Make a fresh mirror clone to rewrite.', commands, notes };
}

function rewrite(p: PlanInput): PlanStep {
  const f = p.files;
  const args = ['git filter-repo'];
  if (p.filterRepo.sensitiveDataRemoval) args.push('--sensitive-data-removal');
  if (f.replacements) args.push(`--replace-text ${sh(f.replacements)}`);
  if (f.messages) args.push(`--replace-message ${sh(f.messages)}`);
  if (f.paths) args.push(`--invert-paths --paths-from-file ${sh(f.paths)}`);
  if (f.blobCallback) args.push(`--blob-callback ${sh(f.blobCallback)}`);
  // Otherwise filter-repo may add a refs/replace/<old id> for every rewritten commit (2.38 does
  // by default), and the mirror push would publish them.
  args.push('--replace-refs delete-no-add');
  const notes: string[] = [];
  if (!p.filterRepo.installed) {
    notes.push('git filter-repo is not installed: `apt install git-filter-repo` (Debian, Ubuntu), `brew install git-filter-repo`, or `pip install git-filter-repo`. Release 2.47 and later also take --sensitive-data-removal: add it if yours does.');
  } else if (!p.filterRepo.sensitiveDataRemoval) {
    notes.push('This git filter-repo has no --sensitive-data-removal (added in 2.47; Debian bookworm ships 2.38). With a newer one, add it: it also lists the first changed commits and orphaned LFS objects for the host.');
  }
  if (f.blobCallback) {
    notes.push('blob-callback.py cleans the files --replace-text leaves alone (a NUL in the first 8 KiB: binaries, UTF-16 and UTF-32 text), in the encoding each holds the secret in; it passes over every other file at once. A binary whose secret is replaced changes length: rebuild it from source rather than use the rewritten one. BFG does none of this.');
  }
  const tags = p.tags ?? [];
  if (tags.length) {
    notes.push(`messages.txt also cleans the annotated tag messages that hold a secret (${tagList(tags)}): --replace-message rewrites tag messages too. A signed tag loses its signature: sign it again. ROTATION.md says how to delete and re-create a tag instead (BFG does not touch tag messages).`);
  }
  if (f.replacements) {
    notes.push(
      f.bfg
        ? `With BFG instead: ${f.bfg} (BFG splits expressions at the first ==>). BFG cannot remove the files of paths.txt by path or clean commit messages, and leaves HEAD alone unless given --no-blob-protection.`
        : 'With BFG instead: `bfg --replace-text` reads replacements.txt as it is. BFG cannot remove the files of paths.txt by path or clean commit messages, and leaves HEAD alone unless given --no-blob-protection.',
    );
  }
  return { id: 'rewrite', title: 'Rewrite the mirror with the files written above.', commands: [args.join(' ')], notes };
}

function check(p: PlanInput): PlanStep {
  // By absolute path: the mirror has no node_modules, and a devDependency is not on PATH.
  const sg = `${p.self ?? selfCommand()} scan --history${p.configFile ? ` --config ${sh(p.configFile)}` : ''}${(p.scanFlags ?? []).map((f) => ` ${sh(f)}`).join('')}`;
  const commands = [...(p.ignoreFile ? [`cp ${sh(p.ignoreFile)} .`] : []), sg];
  const notes = ['The scan must exit 0 (nothing found).'];
  if (p.ignoreFile) notes.push('The first line brings your .secret-guard-ignore along: the suppressed findings were left in history on purpose.');
  if (p.files.replacements) {
    commands.push(
      `sed -e 's/==>[^>]*$//' -e 's/^literal://' ${sh(p.files.replacements)} | while IFS= read -r s; do git log --all --oneline -S"$s"; git log --all --oneline -F --grep="$s"; done`,
    );
    notes.push('The loop must print nothing: no commit of any ref adds, removes or mentions a secret (it reads them from the file, so none is typed or printed).');
  }
  if (p.tags?.length && p.files.messages) {
    commands.push(tagCheckCommand(p.files.messages));
    notes.push('The tag loop must print nothing: `git log` does not read tag messages, so it names each tag whose message still holds a secret.');
  }
  if (p.removedPaths.length) {
    commands.push(`git log --all --oneline -- ${p.removedPaths.map(shPath).join(' ')}`);
    notes.push('The last command must print nothing: the secrets files are gone from every commit.');
  }
  return { id: 'check', title: 'Check the rewritten mirror before publishing it.', commands, notes };
}

function push(p: PlanInput, mirror: string): PlanStep {
  if (!p.remote) {
    return {
      id: 'push',
      title: 'Replace this repository with the rewritten one.',
      commands: [`git clone ${sh(mirror)} ${sh(`${p.root.replace(/\.git$/, '')}-clean`)}`],
      notes: ['This repository has no remote, so there is nothing to force-push: work from the new clone, and delete this one once nothing in it is needed.'],
    };
  }
  return {
    id: 'push',
    title: 'Force-push the rewritten history.',
    commands: [`git remote get-url origin >/dev/null 2>&1 || git remote add origin "$(git -C ${sh(p.root)} remote get-url ${sh(p.remote)})"`, 'git push --force --mirror origin'],
    notes: [
      'git filter-repo may remove the origin remote after a rewrite (2.47 does, unless given --sensitive-data-removal): the first line puts it back if so.',
      'Lift branch protection for the push if it refuses a force-push. A host refusing refs/pull/* ("deny updating a hidden ref") is expected: see the host step.',
      'Then lift the push freeze, together with the re-clone instructions below: a push from an old clone must not be the first one.',
    ],
  };
}

const refList = (refs: string[]) => refs.slice(0, 10).join(', ') + (refs.length > 10 ? ` and ${refs.length - 10} more` : '');

const tagList = (tags: string[]) => tags.slice(0, 10).map(tagName).join(', ') + (tags.length > 10 ? ` and ${tags.length - 10} more` : '');

function reclone(p: PlanInput): PlanStep {
  const notes = [
    'Every existing clone — this one included — still holds the old history. Everyone deletes theirs and clones again; nobody pulls, merges or pushes from an old clone: that brings every leak back.',
    'Unpushed work: export it from the old clone with `git format-patch` and apply it in the new one.',
    'In each new clone, install the dependencies and run `secret-guard install` again (`npx --no secret-guard install` for a devDependency): a clone does not copy .git/hooks, so the new clone has no pre-commit hook until then.',
    'If an old clone is merged back anyway (a pull request from an old branch, a merge of an old clone), its commits carry the leaked tokens again: the pull-request job (`secret-guard scan --range BASE..HEAD`) fails on them, because they are new to the base. A direct push skips that job: keep the branch protection that requires it. The pre-commit hook is no guard here: git runs it for \`git commit\`, not for a merge it completes by itself.',
  ];
  if (p.tags?.length) notes.push(`A clone that keeps its old history also keeps the old tags (${tagList(p.tags)}): git fetch never replaces an existing tag. Re-cloning is the fix; \`git fetch --force --tags\` replaces the tags alone.`);
  if (p.hasStash) notes.push('This clone has a stash: apply what you need in the new clone, then `git stash clear` here before deleting it.');
  return { id: 'reclone', title: 'Collaborators re-clone.', commands: [], notes };
}

function host(p: PlanInput, mirror: string): PlanStep {
  const commits = p.introducing.slice(0, 20).join(', ');
  return {
    id: 'host',
    title: 'Clean up on the host.',
    commands: [],
    notes: [
      `GitHub: ask GitHub Support to drop cached views of the old commits and the pull-request refs (refs/pull/*) that still point at them; name the first changed commits (--sensitive-data-removal prints them) or the introducing commits: ${commits || '(see ROTATION.md)'}.`,
      `GitLab: Settings → Repository → Repository cleanup with the commit map ${join(mirror, 'filter-repo', 'commit-map')}, then housekeeping; merge-request refs keep old commits until then.`,
      'Forks, CI caches, build artifacts and other mirrors keep the old history: delete or re-create them.',
      ...(p.tags?.length ? [`Releases made from ${tagList(p.tags)} keep their own notes on the host: edit them if they quote a token. A protected tag refuses the force-push: lift the protection for it, or delete and re-create the tag (ROTATION.md).`] : []),
    ],
  };
}

/**
 * A bare repository the user runs (a path, an ssh server) keeps the old objects after the forced
 * push, and serves them to a fetch by id, until reflogs expire and gc prunes them (months, by
 * default). A hosted remote does this itself, on request (the host step).
 */
function expire(p: PlanInput): PlanStep | null {
  if (!p.remote) return null;
  return {
    id: 'expire',
    title: `If ${p.remote} is a bare repository you host yourself (a path or an ssh server), drop the old commits there.`,
    commands: ['git reflog expire --expire=now --all && git gc --prune=now'],
    notes: [
      `Run it on the server, inside the bare repository (\`git -C ${sh(p.root)} remote get-url ${sh(p.remote)}\` names it). Until then the old commits stay in its object store and a fetch by commit id still gets them; git's own gc would keep them for months (the reflog's default expiry). A hosted remote (GitHub, GitLab) does this itself: the host step above.`,
    ],
  };
}

function cleanup(p: PlanInput): PlanStep {
  // Only the files remediate wrote, by name: --out may name a folder that holds other things.
  const f = p.files;
  const written = [f.rotation, f.replacements, f.bfg, f.messages, f.paths, f.blobCallback].filter((x): x is string => Boolean(x));
  const commands = [`rm -f -- ${written.map(sh).join(' ')}`];
  if (f.ownDir) commands.push(`rmdir -- ${sh(f.dir)}`);
  return {
    id: 'cleanup',
    title: 'Delete the remediation files once done: they hold the secrets.',
    commands,
    notes: f.ownDir ? [] : [`${f.dir} was there before remediate wrote into it: it stays; only the files above are removed.`],
  };
}

export function planSteps(p: PlanInput): PlanStep[] {
  const mirror = mirrorPath(p.root);
  const steps = [rotate(p), fixCode(p), freeze(p), clone(p, mirror), rewrite(p), check(p), push(p, mirror), reclone(p), host(p, mirror), expire(p), cleanup(p)];
  return steps.filter((s): s is PlanStep => s !== null);
}

export function renderPlan(steps: PlanStep[]): string {
  const out = ['Next, in this order:', ''];
  steps.forEach((s, i) => {
    out.push(`${i + 1}. ${s.title}`);
    for (const c of s.commands) out.push(`     ${c}`);
    for (const n of s.notes) out.push(`   ${n}`);
    out.push('');
  });
  return out.join('\n');
}
