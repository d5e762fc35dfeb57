/**
 * The gates after the pre-commit hook: `scan --pre-receive` (the server refuses a push),
 * `scan --pre-push REMOTE URL` (the client stops one) and `scan --commit-msg FILE` (the message
 * being written). Same engine and rules as every other scan; what differs is where the settings
 * come from, the time budget, and a report written for the person at the other end of a push.
 *
 * Settings on the server come from the server: `--config PATH`, else `secret-guard.json` (or
 * `.yml`) in the repository's git directory, else the defaults; never a file in the pushed trees,
 * and config discovery never walks up from there. The ignore file is `$GIT_DIR/.secret-guard-ignore`.
 * An inline `secret-guard:allow` in the pushed content is the one suppression a pusher controls,
 * on purpose (it is how a false positive is marked, visibly, in the code); the report counts it.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { EXIT, IncompleteScanError, UsageError } from '../errors.js';
import { EMPTY_CONFIG, loadConfig, twoConfigs, type Config } from '../config/load.js';
import { compileRules } from '../core/engine.js';
import { MESSAGE_PATH, TAG_MESSAGE_PATH, type FailOn, type Finding } from '../core/types.js';
import { failing, sortFindings, withoutConfigExamples } from '../scan/passes.js';
import { emptyStats, type ScanResult } from '../scan/result.js';
import { ruleSpecs, ruleset } from '../scan/ruleset.js';
import { toolVersion } from '../cli/version.js';
import { shownPath, shownSecret, shownText } from '../report/shown.js';
import type { ReportOptions } from '../report/types.js';
import { detectMessage } from '../scan/content.js';
import { git, gitRaw, requireRepo, type Repo } from '../sources/git.js';
import { isZero, NO_REPLACE, parseUpdates, scanPush, type PushScan } from '../sources/push.js';
import { configChoice, resolveScanOptions, threadsOf } from '../scan/options.js';
import { FILE_FORMATS, outputFlag, render, type Format } from '../scan/reporters.js';
import { chosen, isGate, type Gate } from '../scan/modes.js';
import { isUnread, onUnreadOf, unreadCount, unreadLines, type OnUnread } from '../scan/unread.js';

const SERVER_CONFIG_NAMES = ['secret-guard.json', 'secret-guard.yml', 'secret-guard.yaml'];
const SERVER_HELD = ['--branches', '--tags'];

/** `4s`, `500ms`, `1m`, or plain seconds. */
function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

const reportOptions = (args: Args, config: Config): ReportOptions => ({
  color: false,
  showSecrets: Boolean(args['show-secrets']),
  quiet: Boolean(args.quiet),
  verbose: Boolean(args.verbose),
  toolVersion: toolVersion(),
  rules: ruleSpecs(config),
});

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

async function serverConfig(choice: ReturnType<typeof configChoice>, repo: Repo, cwd: string): Promise<Config> {
  if (choice.noConfig) return EMPTY_CONFIG;
  if (choice.file) return loadConfig({ cwd, file: choice.file, repo });
  // Anything under the name counts, a dangling link included: the reader refuses it, loudly.
  const found = SERVER_CONFIG_NAMES.map((n) => join(repo.gitDir, n)).filter((f) => lstatSync(f, { throwIfNoEntry: false }));
  if (found.length > 1) twoConfigs(found.map((f) => basename(f)), repo.gitDir);
  return found.length ? loadConfig({ cwd, file: found[0], repo }) : EMPTY_CONFIG;
}

async function stdinText(ctx: CliContext, gate: Gate): Promise<string> {
  if (!ctx.stdin) throw new UsageError(`--${gate} reads git's ref updates on standard input, and none is available here`);
  return (await ctx.stdin.read()).toString('utf8');
}

/**
 * The pre-push lines. The pre-commit framework keeps git's standard input to itself and names
 * only one ref in its environment: the first update that brings new commits (PRE_COMMIT_TO_REF
 * after PRE_COMMIT_FROM_REF, or for a new branch reaching a root commit only
 * PRE_COMMIT_LOCAL_BRANCH), so `git push origin clean dirty` would show it only `clean`. Under
 * the framework the gate therefore reads a superset of any push: every local branch and tag
 * whose commits are not all on that remote's remote-tracking refs, plus the named ref itself
 * unpeeled, so an annotated tag's message is read. The framework naming no ref is a usage error:
 * a pre-push gate that read no update must not pass.
 */
async function prePushInput(text: string, env: CliContext['env'], cwd: string, remote: string): Promise<string> {
  if (text.trim()) return text;
  // Plain git runs the hook with no lines when everything is up to date: nothing leaves, nothing to read.
  if (!env.PRE_COMMIT_REMOTE_NAME && !env.PRE_COMMIT_TO_REF && !env.PRE_COMMIT_LOCAL_BRANCH) return '';
  const to = env.PRE_COMMIT_TO_REF || env.PRE_COMMIT_LOCAL_BRANCH;
  if (!to) throw new UsageError('--pre-push read no ref updates: git gives them to the pre-push hook on standard input (the pre-commit framework in PRE_COMMIT_* variables)', 'Run it from the pre-push hook: secret-guard scan --pre-push "$1" "$2"');
  const sha = async (ref: string, peel: string) => {
    const r = await gitRaw([NO_REPLACE, 'rev-parse', '-q', '--verify', '--end-of-options', `${ref}${peel}`], cwd);
    if (r.code !== 0) throw new IncompleteScanError(`--pre-push: ${ref} (from the pre-commit framework) is not a commit here, so the push cannot be scanned`);
    return r.stdout.toString('utf8').trim();
  };
  await sha(to, '^{commit}');
  const local = await sha(to, '');
  const zero = '0'.repeat(local.length);
  const from = env.PRE_COMMIT_TO_REF && env.PRE_COMMIT_FROM_REF && !isZero(env.PRE_COMMIT_FROM_REF) ? await sha(env.PRE_COMMIT_FROM_REF, '^{commit}') : zero;
  const lines = [`${env.PRE_COMMIT_LOCAL_BRANCH || 'HEAD'} ${local} ${env.PRE_COMMIT_REMOTE_BRANCH || 'HEAD'} ${from}`];
  // The superset: refs/heads and refs/tags whose commit the remote's tracking refs do not hold.
  const held = await trackingRefs(remote, env.PRE_COMMIT_REMOTE_URL, cwd);
  const fresh = new Set((await git([NO_REPLACE, 'rev-list', '--branches', '--tags', '--not', ...held], cwd)).toString('utf8').split('\n').filter(Boolean));
  const refs = (await git([NO_REPLACE, 'for-each-ref', '--format=%(objectname) %(*objectname) %(refname)', 'refs/heads', 'refs/tags'], cwd)).toString('utf8');
  for (const line of refs.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]*) (.+)$/.exec(line);
    if (!m || m[1] === local) continue;
    if (fresh.has(m[2] || m[1]!)) lines.push(`${m[3]} ${m[1]} ${m[3]} ${zero}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The remote-tracking refs that say what the remote holds: `--remotes=<name>` for the remote git
 * names in the hook's first argument, or, when that is a URL (`git push ../server.git main`,
 * `git push git@host:shop.git`), for every configured remote whose url or pushurl is that URL.
 * None match: nothing is known to be there, and every commit of a new branch is read.
 */
async function trackingRefs(remote: string, url: string | undefined, cwd: string): Promise<string[]> {
  const plain = /^[A-Za-z0-9._-]+$/;
  const r = await gitRaw(['config', '-z', '--get-regexp', '^remote\\..*\\.(push)?url$'], cwd);
  const names = new Set<string>();
  let configured = false;
  for (const rec of r.code === 0 ? r.stdout.toString('utf8').split('\0') : []) {
    const nl = rec.indexOf('\n');
    if (nl < 0) continue;
    const m = /^remote\.(.+)\.(?:push)?url$/.exec(rec.slice(0, nl));
    if (!m) continue;
    if (m[1] === remote) configured = true;
    const value = rec.slice(nl + 1);
    if (value === remote || (url !== undefined && value === url)) names.add(m[1]!);
  }
  const chosen = configured ? [remote] : [...names];
  return chosen.filter((n) => plain.test(n)).map((n) => `--remotes=${n}`);
}

interface Outcome {
  scan: PushScan;
  gitDir: string;
}

/** `scan` with a push gate's flags (src/cli/table.ts sends those here). */
export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const started = Date.now();
  const gate = chosen(args);
  if (!isGate(gate)) throw new UsageError('--timeout and --on-timeout are for the push gates: --pre-receive, --pre-push, --commit-msg');
  const fileReport = FILE_FORMATS.find((f) => args[outputFlag(f)] !== undefined);
  if (fileReport) throw new UsageError(`--${outputFlag(fileReport)} is for the scan modes; a push gate reports to the pusher (--format and --output choose how)`);
  const extra = ((args.paths as string[] | undefined) ?? []).length + args._.length - 1;
  if (gate !== 'pre-push' && extra > 0) throw new UsageError(`--${gate} takes no paths: it reads ${gate === 'pre-receive' ? "git's ref updates on standard input" : 'the message file named after it'}`);
  const budget = args.timeout === undefined ? undefined : parseDuration(String(args.timeout));
  if (budget === null || (budget !== undefined && budget <= 0)) throw new UsageError(`--timeout ${String(args.timeout)} is not a duration (try 4s or 1500ms)`);
  const onTimeout = (args['on-timeout'] as 'accept' | 'refuse' | undefined) ?? 'refuse';
  const onUnread = onUnreadOf(args);
  const repo = await requireRepo(ctx.cwd, `--${gate}`);
  const choice = configChoice(args);
  const config = gate === 'pre-receive' ? await serverConfig(choice, repo, ctx.cwd) : await loadConfig({ cwd: ctx.cwd, ...choice, repo });
  const { maxFileSize, failOn, isIgnoredPath, specs } = resolveScanOptions(args, config);
  const rules = compileRules(specs);
  const src = { cwd: ctx.cwd, rules, maxFileSize, isIgnoredPath, repo, threads: threadsOf(args) };

  if (gate === 'commit-msg') return commitMsg(args, ctx, config, rules, failOn, repo.root);

  const input = await stdinText(ctx, gate);
  let work: Promise<Outcome>;
  if (gate === 'pre-receive') {
    const updates = parseUpdates(input, 'pre-receive');
    // Held: what a branch or tag of the server holds, every one of which came through this hook.
    // Not --all: hosts keep commits under refs no push made, with hooks skipped (GitLab fetches a
    // fork's merge request into refs/merge-requests/N/head, GitHub keeps refs/pull/N/head, GitLab
    // refs/keep-around/*), and a push that merges or fast-forwards onto them must read them.
    work = scanPush({ ...src, updates, held: SERVER_HELD, describe: 'the pushed commits' }).then((scan) => ({ scan, gitDir: repo.gitDir }));
  } else {
    const given = ((args.paths as string[] | undefined) ?? []).concat(args._.slice(1).map(String));
    // The pre-commit framework passes no arguments to a pre-push hook; it names the remote in its environment.
    const remote = given[0] ?? ctx.env.PRE_COMMIT_REMOTE_NAME;
    const url = given[1] ?? ctx.env.PRE_COMMIT_REMOTE_URL;
    if (!remote) throw new UsageError('--pre-push takes the remote name and URL git gives the hook: secret-guard scan --pre-push "$1" "$2"');
    const updates = parseUpdates(await prePushInput(input, ctx.env, ctx.cwd, remote), 'pre-push');
    // What the remote had at each ref, when this clone has it, is held there too.
    const known: string[] = [];
    for (const u of updates) {
      if (isZero(u.old)) continue;
      if ((await gitRaw([NO_REPLACE, 'cat-file', '-e', `${u.old}^{commit}`], ctx.cwd)).code === 0) known.push(u.old);
    }
    const held = [...known, ...(await trackingRefs(remote, url, ctx.cwd))];
    work = scanPush({ ...src, updates, held, describe: `the commits ${url ?? remote} does not have` }).then((scan) => ({ scan, gitDir: repo.gitDir }));
  }

  let outcome: Outcome | 'timeout';
  if (budget === undefined) outcome = await work;
  else {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(0, budget - (Date.now() - started)))));
    outcome = await Promise.race([work, late]);
    clearTimeout(timer);
    if (outcome === 'timeout') work.catch(() => {});
  }
  if (outcome === 'timeout') return timedOut(gate, String(args.timeout), onTimeout);

  const { scan } = outcome;
  const result = scan.result;
  if (gate === 'pre-receive') result.root = outcome.gitDir;
  // On the server no pushed file is the active config, so a pushed `secret-guard.json` keeps every
  // finding, its custom rules' too; a client's own config keeps all but its rules' examples.
  if (gate === 'pre-push') result.findings = withoutConfigExamples(result.findings, config);
  sortFindings(result.findings);
  const { applySuppressions } = await import('../suppress/apply.js');
  // The server's ignore file lives in its git directory; a client's in its work tree.
  await applySuppressions(result, {
    from: 'checkout',
    ignoreFileDir: gate === 'pre-receive' ? outcome.gitDir : result.root,
    baseline: args.baseline === undefined ? undefined : { file: String(args.baseline), cwd: ctx.cwd },
  });
  const failed = failing(result.findings, failOn);
  // A pushed file the gate could not read (over --max-file-size) is a push it cannot vouch
  // for: refused unless the gate's owner said otherwise, as when the time budget runs out.
  const unread = unreadCount(result);
  const exitCode = failed.length ? EXIT.findings : unread && onUnread === 'refuse' ? EXIT.error : EXIT.clean;
  const format = (args.format as Format | undefined) ?? 'text';
  if (format !== 'text') {
    return { exitCode, stdout: await render(result, format, reportOptions(args, config)), stderr: '' };
  }
  // stdout: GitHub Enterprise passes only a hook's standard output back to the pusher.
  const showSecrets = Boolean(args['show-secrets']);
  return { exitCode, stdout: shownText(pushReport(gate, scan, failed, showSecrets, Boolean(args.verbose), onUnread), showSecrets), stderr: '' };
}

function timedOut(gate: Gate, budget: string, onTimeout: 'accept' | 'refuse'): CommandResult {
  const what = gate === 'pre-receive' ? 'push' : gate === 'pre-push' ? 'push' : 'commit';
  if (onTimeout === 'accept') {
    return { exitCode: EXIT.clean, stderr: '', stdout: `secret-guard: the scan did not finish within ${budget}; the ${what} was accepted UNCHECKED (--on-timeout accept). Run \`secret-guard scan --history\` to check it later.\n`, abandoned: true };
  }
  return {
    exitCode: EXIT.findings,
    stderr: '',
    stdout: `secret-guard: ${what} refused: the scan did not finish within ${budget}, and a gate that cannot tell does not pass.\nPush fewer commits at a time, or ask the server's administrator (--timeout, --on-timeout).\n`,
    abandoned: true,
  };
}

function where(f: Finding): string {
  if (f.path === MESSAGE_PATH) return 'commit message';
  if (f.path === TAG_MESSAGE_PATH) return 'tag message';
  return `${shownPath(f.path)}:${f.line}`;
}

/**
 * What a pusher sees (prefixed `remote:` by git): a headline, one line per finding with the ref,
 * the commit and where, then how to proceed. Short: hosts cut long hook output.
 */
function pushReport(gate: Gate, scan: PushScan, failed: Finding[], showSecrets: boolean, verbose: boolean, onUnread: OnUnread = 'refuse'): string {
  const r = scan.result;
  const lines: string[] = [];
  const allowed = r.findings.filter((f) => f.suppressedBy);
  const server = gate === 'pre-receive';
  const unread = unreadCount(r);
  // One line per pushed file not read, always: a push is never let through (or stopped) over a
  // file nobody was told about.
  const notRead = unreadLines(r, shownPath);
  const tail = () => {
    if (allowed.length) lines.push(`secret-guard: ${plural(allowed.length, 'finding')} allowed (${[...new Set(allowed.map((f) => f.suppressedBy))].join(', ')}).`);
    lines.push(...notRead);
    if (unread && !failed.length) {
      if (onUnread === 'accept') lines.push(`secret-guard: ${plural(unread, 'file')} not read; the push was accepted with ${unread === 1 ? 'it' : 'them'} unchecked (--on-unread accept).`);
      else {
        lines.push(`secret-guard: push ${server ? 'refused' : 'stopped'}: ${plural(unread, 'pushed file')} could not be read, and a gate that cannot tell does not pass${server ? ' (no ref was updated)' : ' (nothing was sent)'}.`);
        lines.push(server
          ? "Ask the server's administrator to raise --max-file-size, add such paths to the server's ignorePaths, or run the hook with --on-unread accept."
          : 'Raise maxFileSize or add such paths to ignorePaths in .secret-guard.json, or run the pre-push hook with --on-unread accept.');
      }
    }
    if (verbose) for (const s of r.stats.skippedPaths) if (!isUnread(s.kind)) lines.push(`  skipped ${shownPath(s.path)}: ${s.reason}`);
  };
  if (!failed.length) {
    tail();
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
  lines.push(`secret-guard: push ${server ? 'refused' : 'stopped'}: ${plural(failed.length, 'finding')} in ${server ? 'the pushed commits' : 'commits the remote does not have'}${server ? ' (no ref was updated)' : ' (nothing was sent)'}.`);
  for (const f of failed) {
    const refs = scan.refsOf.get(f) ?? [];
    const commit = f.commit ? f.commit.sha.slice(0, 12) : '';
    lines.push(`  ${refs.join(', ') || '(pushed)'}  ${commit}  ${where(f)}  ${f.title} [${f.ruleId}]  ${shownSecret(f, showSecrets)}`);
  }
  // What the walk says of how a finding came to be (a merge that brought a token back, reported
  // at the pushed head though no commit added it): the pusher needs it to find what to fix.
  for (const n of r.notes) lines.push(`  note: ${shownText(n, showSecrets)}`);
  const inCommits = failed.filter((f) => f.path !== TAG_MESSAGE_PATH);
  const first = inCommits.find((f) => f.commit)?.commit?.sha.slice(0, 12) ?? '<commit>';
  const msg = inCommits.some((f) => f.path === MESSAGE_PATH);
  lines.push(`To push, take it out of ${inCommits.length ? 'the commit that added it' : 'the tag'}, then push again:`);
  if (inCommits.length) {
    lines.push(`  in the last commit:  edit the file, \`git commit --amend\`${msg ? ' (a message: `git commit --amend` alone)' : ''}`);
    lines.push(`  in an earlier one:   \`git rebase -i ${first}^\`, mark it "edit"${msg ? ' (a message: "reword")' : ''}, fix, \`git rebase --continue\``);
  }
  if (inCommits.length < failed.length) lines.push('  in a tag message:    `git tag -f -a <tag>` with a new message');
  lines.push('Move the token to the environment; rotate it if it was ever shared elsewhere.');
  lines.push(`Not a credential? Add a \`secret-guard:allow\` comment on its line, in that ${inCommits.length ? 'commit' : 'tag message'}.`);
  tail();
  return `${lines.join('\n')}\n`;
}

/**
 * The message being written. `git commit -v` puts the diff below a scissors line, git's comment
 * lines, then `diff --git`; git drops all of that (the pre-commit hook judges the diff). But a
 * `-m`/`-F` message is cleaned with the `whitespace` mode, which keeps a scissors line and what
 * follows, so the cut is made only when git's verbose template follows it; else the whole file
 * is the message. Git runs the hook with GIT_EDITOR=: when no editor was opened (-m, -F): then
 * no template was written, and a look-alike of one hides nothing. Comment lines are scanned:
 * whether git strips them depends on how the commit was started (`-m` keeps them).
 */
function messageText(raw: string, commentChar = '#'): string {
  const scissors = `${commentChar} ------------------------ >8 ------------------------`;
  const lines = raw.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let cut = lines.indexOf(scissors); cut !== -1; cut = lines.indexOf(scissors, cut + 1)) {
    let i = cut + 1;
    while (i < lines.length && lines[i]!.startsWith(commentChar)) i++;
    if (i < lines.length && lines[i]!.startsWith('diff --git ')) return raw.split('\n').slice(0, cut).join('\n');
  }
  return raw;
}

async function commitMsg(args: Args, ctx: CliContext, config: Config, rules: ReturnType<typeof ruleset>, failOn: FailOn, root: string): Promise<CommandResult> {
  const file = resolve(ctx.cwd, String(args['commit-msg']));
  let raw: string;
  try {
    // Non-blocking, then fstat: a named pipe there (or a device) would hold the hook forever.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
      raw = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new IncompleteScanError(`could not read the commit message file ${shownPath(String(args['commit-msg']))} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'The commit-msg hook passes the file as its first argument: secret-guard scan --commit-msg "$1"');
  }
  const cc = await gitRaw(['config', '--get', 'core.commentChar'], ctx.cwd);
  const char = cc.code === 0 ? cc.stdout.toString('utf8').trim() : '#';
  const text = ctx.env.GIT_EDITOR === ':' ? raw : messageText(raw, char.length === 1 ? char : '#');
  const findings = detectMessage(text, MESSAGE_PATH, rules, null);
  const result: ScanResult = { mode: 'staged', root, findings, stats: { ...emptyStats(), filesScanned: 1, bytesScanned: Buffer.byteLength(raw) }, notes: [] };
  // The checkout's ignore file (and a --baseline) mean here what they mean to --history and the
  // gates, which read the same message once committed: a fingerprint of `<commit message>` in it
  // must not block the commit that --range, the server and the history pass.
  const { applySuppressions } = await import('../suppress/apply.js');
  await applySuppressions(result, { from: 'checkout', ignoreFileDir: root, baseline: args.baseline === undefined ? undefined : { file: String(args.baseline), cwd: ctx.cwd } });
  const failed = failing(findings, failOn);
  const format = (args.format as Format | undefined) ?? 'text';
  const exitCode = failed.length ? EXIT.findings : EXIT.clean;
  if (format !== 'text') return { exitCode, stdout: await render(result, format, reportOptions(args, config)), stderr: '' };
  if (!failed.length) return { exitCode, stdout: '', stderr: '' };
  const lines = [`secret-guard: commit blocked: the commit message holds ${plural(failed.length, 'Postmark credential')}.`];
  const showSecrets = Boolean(args['show-secrets']);
  for (const f of failed) lines.push(`  line ${f.line}  ${f.title} [${f.ruleId}]  ${shownSecret(f, showSecrets)}`);
  lines.push('Nothing was committed. Write the message again without it (git keeps your text in .git/COMMIT_EDITMSG: `git commit -e -F .git/COMMIT_EDITMSG`).');
  lines.push('Not a credential? Add `secret-guard:allow` on its line.');
  return { exitCode, stdout: shownText(`${lines.join('\n')}\n`, showSecrets), stderr: '' };
}

