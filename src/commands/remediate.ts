/**
 * `secret-guard remediate`: the history scan's findings turned into the files and steps of the
 * leak playbook — replacements.txt (and messages.txt, paths.txt) for git filter-repo, ROTATION.md,
 * and the next commands on stdout. It reads the repository and writes only its own output folder
 * (inside the git directory unless --out says otherwise): it never rewrites history and never
 * touches the work tree, the index, the refs or the config.
 */
import { basename, join, resolve } from 'node:path';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { EXIT, UsageError } from '../errors.js';
import { toolVersion } from '../cli/version.js';
import { loadConfig, type Config } from '../config/load.js';
import { compileRules } from '../core/engine.js';
import { redact, redactKnown, redactText } from '../core/redact.js';
import { shownPath } from '../report/shown.js';
import { CountedProgress } from '../scan/progress.js';
import type { ScanResult } from '../scan/result.js';
import { applySuppressions } from '../suppress/apply.js';
import { IGNORE_FILE } from '../suppress/ignore-file.js';
import { configChoice, resolveScanOptions, threadsOf, type ScanSettings } from '../scan/options.js';
import { withoutConfigExamples } from '../scan/passes.js';
import { onUnreadOf, unreadCount, unreadLines } from '../scan/unread.js';
import { blobCallbackFile } from '../remediate/blob-callback.js';
import { detectFilterRepo } from '../remediate/filter-repo.js';
import { collectLeaks, hasLeaks, type Credential, type Leaks } from '../remediate/leaks.js';
import { messagesFile } from '../remediate/messages.js';
import { checkOutputDir, existingOutputs, prepareDir, removeStale, writeSecretFile, type OutputName } from '../remediate/output.js';
import { pathsFileBytes } from '../remediate/paths.js';
import { planSteps, renderPlan, type PlanInput } from '../remediate/plan.js';
import { expressionFiles } from '../remediate/replacements.js';
import { chooseRemote, hasStash, isIgnoredDir, localOnlyBranches, openRepo, refsToFiles, type RepoDirs } from '../remediate/repo.js';
import { isInside } from '../paths.js';
import { KIND_TITLES, rotationMarkdown } from '../remediate/rotation.js';
import { apiBase, timeoutFrom, verifyToken, type VerifyOptions, type VerifyResult } from '../remediate/verify.js';

/** Tokens checked at once with --verify. */
const VERIFY_CONCURRENCY = 4;

interface Settled {
  repo: RepoDirs;
  config: Config;
  /** The flags over the config over the defaults, as every scanning command reads them. */
  options: ScanSettings;
  verify?: VerifyOptions;
  /** The default folder, inside the git directory: ours to create and narrow. */
  ownDir: boolean;
  outDir: string;
  earlier: OutputName[];
  warnings: string[];
}

/** Everything that can refuse, settled before the scan, which can take a while. */
async function settle(args: Args, ctx: CliContext): Promise<Settled> {
  const repo = await openRepo(ctx.cwd);
  const config = await loadConfig({ cwd: ctx.cwd, ...configChoice(args) });
  const verify = args.verify ? { baseUrl: apiBase(ctx.env.SECRET_GUARD_POSTMARK_API_URL), timeoutMs: timeoutFrom(ctx.env.SECRET_GUARD_POSTMARK_TIMEOUT_MS) } : undefined;
  const ownDir = args.out === undefined;
  const outDir = ownDir ? join(repo.gitDir, 'secret-guard', 'remediation') : resolve(ctx.cwd, String(args.out));
  // A symlink on the way, a folder others can read, a planted link at a file name: refused now, before the scan.
  checkOutputDir(outDir, ownDir);
  const earlier = existingOutputs(outDir);
  if (earlier.length && !args.force) {
    throw new UsageError(`${outDir} already holds ${earlier.join(', ')} from an earlier run; not overwriting them`, 'Pass --force to replace them, or --out DIR to write elsewhere. (They hold secrets: delete them once you are done.)');
  }
  const warnings: string[] = [];
  if (!ownDir && !repo.bare && isInside(outDir, repo.root) && !isInside(outDir, repo.gitDir) && !(await isIgnoredDir(repo.root, outDir))) {
    warnings.push(`secret-guard: warning: ${outDir} is inside the work tree and not ignored by git: the files written there hold the secrets, and \`git add .\` would commit them again. Ignore the folder, or write outside the work tree.\n`);
  }
  return { repo, config, options: resolveScanOptions(args, config), verify, ownDir, outDir, earlier, warnings };
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const s = await settle(args, ctx);
  const { scanHistory } = await import('../sources/history.js');
  const range = args.range === undefined ? undefined : String(args.range);
  const { specs, maxFileSize, isIgnoredPath } = s.options;
  const bar = ctx.progress ? new CountedProgress(ctx.progress, 'commits') : undefined;
  const result = await scanHistory({ cwd: ctx.cwd, rules: compileRules(specs), maxFileSize, isIgnoredPath, range, allowShallow: Boolean(args['allow-shallow']), onProgress: bar?.report, threads: threadsOf(args) }).finally(() => bar?.finish());
  // The config's custom rules' examples in the config file itself are no leak.
  result.findings = withoutConfigExamples(result.findings, s.config);
  // The ignore file only, from the work tree (with --range too: remediate runs in the owner's own
  // clone, not on a change under review). No baseline, on purpose: a baseline says a finding is
  // known, not that it is safe, and remediation is for every leak still in history.
  const { ignoreFileEntries } = await applySuppressions(result, { from: 'checkout', ignoreFileDir: result.root });
  const leaks = collectLeaks(result.findings);
  const scope = range === undefined ? 'every ref (branches, tags, remotes, the stash)' : `the range ${range}`;
  const read = `${count(result.stats.commitsScanned ?? 0, 'commit')} of ${scope} read`;
  const notes = leftAlone(leaks, result);
  const stderr = [...s.warnings];
  // Fail closed, as every scan does: a file over --max-file-size that holds a rule keyword was not
  // read, so "nothing to rotate" cannot be said of it (exit 2 unless --on-unread accept).
  const unread = unreadCount(result);
  const refused = unread > 0 && onUnreadOf(args) !== 'accept';
  if (unread) {
    const lines = unreadLines(result, shownPath);
    lines.push(
      refused
        ? `secret-guard: ${count(unread, 'file version')} over --max-file-size not read: a secret in ${unread === 1 ? 'it' : 'them'} is in none of remediate's files${hasLeaks(leaks) ? '' : ', so remediate cannot say there is nothing to rotate (exit 2)'}. Run remediate again with a larger --max-file-size (or maxFileSize in .secret-guard.json), or pass --on-unread accept to accept ${unread === 1 ? 'it' : 'them'} unread.`
        : `secret-guard: ${count(unread, 'file version')} over --max-file-size accepted unread (--on-unread accept).`,
    );
    stderr.push(...lines.map((l) => `${redactText(l)}\n`));
  }

  if (!hasLeaks(leaks)) {
    const out = [
      unread
        ? `secret-guard remediate: no leaked credential and no committed secrets file in what was read (${read}); nothing written.`
        : `secret-guard remediate: no leaked credential and no committed secrets file (${read}). Nothing to rotate; nothing written.`,
      ...notes,
    ];
    if (s.earlier.length) out.push(`Files of an earlier run remain in ${s.outDir} (${s.earlier.join(', ')}): they hold secrets; delete them if they are no longer needed.`);
    return { exitCode: refused ? EXIT.error : EXIT.clean, stdout: `${out.join('\n')}\n`, stderr: stderr.join('') };
  }

  let verified: Map<string, VerifyResult> | undefined;
  if (s.verify) {
    stderr.push(`secret-guard: --verify: asking ${s.verify.baseUrl.origin} whether ${leaks.credentials.length === 1 ? 'the token is' : 'the tokens are'} live (response bodies are not kept)\n`);
    verified = await verifyAll(leaks.credentials, s.verify);
  }

  const remote = await chooseRemote(ctx.cwd);
  const rotation = rotationMarkdown({ leaks, config: s.config.remediation, verified, scope, remote, repoName: basename(s.repo.root), toolVersion: toolVersion(), now: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  const { contents, bfgCannot } = outputContents(leaks, rotation);
  const secrets = leaks.credentials.map((c) => c.secret);
  const created = prepareDir(s.outDir, s.ownDir);
  for (const [name, text] of contents) writeSecretFile(join(s.outDir, name), name === 'ROTATION.md' ? redactKnown(String(text), secrets) : text);
  removeStale(s.outDir, new Set(contents.keys()));

  const steps = planSteps(await planInput(args, ctx.cwd, s, leaks, contents, ignoreFileEntries > 0, created, remote));
  const stdout = [
    `secret-guard remediate: ${count(leaks.credentials.length, 'leaked credential')}${leaks.files.length ? ` and ${count(leaks.files.length, 'committed secrets file')}` : ''} (${read}).`,
    '',
    ...summary(leaks, verified),
    '',
    `Wrote to ${s.outDir} (mode 0600; all but ROTATION.md hold the secrets themselves: keep them private):`,
    ...describeFiles(contents, leaks, bfgCannot),
    ...(notes.length ? ['', ...notes] : []),
    '',
    renderPlan(steps),
  ].join('\n');
  // Names and notes were cut field by field; this is the last line of defence for the secrets themselves.
  return { exitCode: EXIT.findings, stdout: redactKnown(stdout, secrets), stderr: stderr.join('') };
}

/** The files to write, by name; a file with nothing to hold is not written. */
function outputContents(leaks: Leaks, rotation: string): { contents: Map<OutputName, string | Buffer>; bfgCannot: number } {
  const expressions = expressionFiles(leaks.credentials);
  const contents = new Map<OutputName, string | Buffer>([['ROTATION.md', rotation]]);
  if (expressions.filterRepo) contents.set('replacements.txt', expressions.filterRepo);
  if (expressions.bfg !== undefined) contents.set('replacements-bfg.txt', expressions.bfg);
  const messages = messagesFile(leaks.credentials);
  if (messages) contents.set('messages.txt', messages);
  const paths = pathsFileBytes(leaks.files.map((f) => f.path));
  if (paths.length) contents.set('paths.txt', paths);
  const callback = blobCallbackFile(leaks.credentials.filter((c) => c.inFiles));
  if (callback) contents.set('blob-callback.py', callback);
  return { contents, bfgCannot: expressions.bfgCannot };
}

async function planInput(args: Args, cwd: string, s: Settled, leaks: Leaks, contents: Map<OutputName, string | Buffer>, hasIgnoreFile: boolean, created: boolean, remote: string | null): Promise<PlanInput> {
  const at = (n: OutputName) => (contents.has(n) ? join(s.outDir, n) : undefined);
  const findings = [...leaks.credentials.flatMap((c) => c.findings), ...leaks.files];
  return {
    root: s.repo.root,
    files: { dir: s.outDir, ownDir: s.ownDir || created, rotation: join(s.outDir, 'ROTATION.md'), replacements: at('replacements.txt'), bfg: at('replacements-bfg.txt'), messages: at('messages.txt'), paths: at('paths.txt'), blobCallback: at('blob-callback.py') },
    remote,
    localOnlyRefs: remote ? (await localOnlyBranches(cwd, remote, findings.flatMap((f) => f.holders?.refs ?? []))).map((r) => redactText(r)) : [],
    hasStash: await hasStash(cwd),
    filterRepo: await detectFilterRepo(),
    configFile: s.config.file,
    scanFlags: [...(args['max-file-size'] === undefined ? [] : ['--max-file-size', String(args['max-file-size'])]), ...(onUnreadOf(args) === 'accept' ? ['--on-unread', 'accept'] : [])],
    ignoreFile: hasIgnoreFile && !s.repo.bare ? join(s.repo.root, IGNORE_FILE) : undefined,
    removedPaths: leaks.files.map((f) => f.path),
    refsToFiles: (await refsToFiles(cwd, findings.flatMap((f) => f.holders?.refs ?? []))).map((r) => ({ name: redactText(r.name), oid: r.oid })),
    tags: [...new Set(leaks.credentials.flatMap((c) => c.tags))].sort().map((t) => redactText(t)),
    headFiles: leaks.files.filter((f) => f.holders?.inHead).map((f) => f.path),
    secretsInHead: leaks.credentials.some((c) => c.inHead),
    headPlaces: await (await import('../remediate/head-places.js')).headPlaces(cwd, leaks.credentials),
    introducing: [...new Set(findings.map((f) => f.commit?.sha.slice(0, 12)).filter((sha): sha is string => Boolean(sha)))],
  };
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

async function verifyAll(credentials: Credential[], opts: VerifyOptions): Promise<Map<string, VerifyResult>> {
  const results = new Map<string, VerifyResult>();
  let next = 0;
  const worker = async () => {
    while (next < credentials.length) {
      const c = credentials[next++]!;
      results.set(c.id, await verifyToken(c.kind, c.secret, opts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, credentials.length) }, worker));
  return results;
}

function summary(leaks: Leaks, verified: Map<string, VerifyResult> | undefined): string[] {
  const rows = leaks.credentials.map((c, i) => {
    const v = verified?.get(c.id);
    const live = v ? `${v.status}${v.server ? ` (server ${JSON.stringify(redactText(v.server.name))})` : ''}: ${redactText(v.detail)}` : 'not checked';
    return `  ${i + 1}. ${KIND_TITLES[c.kind]} ${redact(c.secret)}  id ${c.id}  ${c.inHead ? 'in HEAD' : c.inFiles ? 'history only' : 'in messages only'}  ${count(c.findings.length, 'place')}  live: ${live}`;
  });
  const files = leaks.files.map((f) => `  file ${shownPath(f.path)}  ${f.holders?.inHead ? 'in HEAD' : 'history only'}`);
  return [...rows, ...files];
}

function describeFiles(contents: Map<OutputName, string | Buffer>, leaks: Leaks, bfgCannot: number): string[] {
  const lines = (n: OutputName) => (contents.get(n) ?? '').toString().split('\n').filter(Boolean).length;
  const about: Record<OutputName, string> = {
    'ROTATION.md': 'the rotation checklist, one section per credential (no secret in it: safe to paste into a ticket)',
    'replacements.txt': `for git filter-repo --replace-text: ${count(lines('replacements.txt'), 'secret')}`,
    'replacements-bfg.txt': `the same for BFG --replace-text (a secret holds "==>" or spans lines)${bfgCannot ? `; ${count(bfgCannot, 'secret')} spanning lines only filter-repo can remove` : ''}`,
    'messages.txt': `for git filter-repo --replace-message: every secret (${leaks.credentials.filter((c) => c.inMessages).length} found in commit or annotated tag messages), so none stays in a message, flagged or not`,
    'paths.txt': `for git filter-repo --invert-paths --paths-from-file: ${count(leaks.files.length, 'file')} to remove from every commit`,
    'blob-callback.py': `for git filter-repo --blob-callback: ${count(leaks.credentials.filter((c) => c.inFiles).length, 'secret')}, replaced also where --replace-text does not look (binaries, UTF-16 and UTF-32 text)`,
  };
  return [...contents.keys()].map((n) => `  ${n.padEnd(21)}${about[n]}`);
}

/** What was found and deliberately not acted on, and what could not be read. */
function leftAlone(leaks: Leaks, result: ScanResult): string[] {
  const notes: string[] = result.notes.map((n) => redactText(n));
  if (leaks.placeholders) notes.push(`${count(leaks.placeholders, 'placeholder value')} (such as 'your-token-here') left alone: nothing to rotate or replace.`);
  if (leaks.suppressed) notes.push(`${count(leaks.suppressed, 'suppressed finding')} (secret-guard:allow, .secret-guard-ignore) left out, and left in history; unsuppress any that is a live credential.`);
  if (leaks.reviewFiles.length) notes.push(`Committed files that often hold secrets, left in history (review them; see ROTATION.md): ${leaks.reviewFiles.map((f) => shownPath(f.path)).join(', ')}.`);
  const s = result.stats.skipped;
  // Files over --max-file-size are named on stderr with what to do (run, above), not again here.
  // ignorePaths is the user's own choice, but a file it skips may hold a live token that no file
  // here names: say so rather than let "nothing to rotate" stand alone.
  if (s.ignoredByConfig) notes.push(`${count(s.ignoredByConfig, 'file version')} under ignorePaths not read: a secret in them is not in these files. Run remediate with --no-config to read them too.`);
  if (s.lfsPointer) notes.push(`${count(s.lfsPointer, 'Git LFS pointer')} not read: LFS content lives on the LFS server, outside what git filter-repo rewrites.`);
  return notes;
}
