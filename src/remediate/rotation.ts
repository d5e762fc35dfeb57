/**
 * ROTATION.md: one section per leaked credential — not per occurrence — safe to paste into a
 * ticket. A credential is named by kind, redacted form and secret id, never in full; each section
 * says where it was found (paths, introducing commit, date, author, the refs that still hold it,
 * HEAD or not) and carries the step list for its kind (rotation-steps.ts). Committed secrets files
 * get a section of their own: what they held beyond Postmark tokens is unknown to the scanner.
 */
import type { RemediationConfig } from '../config/load.js';
import { redact, redactText } from '../core/redact.js';
import type { Finding } from '../core/types.js';
import { isTagMessage, type Credential, type LeakKind, type Leaks } from './leaks.js';
import { recreateTagCommands, tagName } from './tags.js';
import { block, code, list, shortSha } from './markdown.js';
import { rotationSteps } from './rotation-steps.js';
import type { VerifyResult } from './verify.js';

export const KIND_TITLES: Record<LeakKind, string> = {
  'postmark-server': 'Postmark Server API token',
  'postmark-account': 'Postmark Account API token',
  'postmark-smtp': 'Postmark SMTP token (secret key)',
  other: 'Secret (its rule names no Postmark credential kind)',
};

export interface RotationInput {
  leaks: Leaks;
  config: RemediationConfig;
  /** By credential id; absent when --verify was not given. */
  verified?: ReadonlyMap<string, VerifyResult>;
  /** What was scanned: `every ref` or the range. */
  scope: string;
  repoName: string;
  toolVersion: string;
  /** ISO timestamp of the run. */
  now: string;
  /** The remote the rewritten history is pushed to (for the tag commands); none: this repository has none. */
  remote?: string | null;
}

function when(f: Finding): string {
  const c = f.commit;
  return c ? ` — introduced in commit ${code(shortSha(c.sha))} on ${c.date} by ${redactText(`${c.author} <${c.email}>`)}` : '';
}

/** A ref or tag name as ROTATION.md shows it: a token pasted into a branch name is cut like any other. */
const shownRef = (ref: string) => code(redactText(ref));

function holders(f: Finding): string {
  const h = f.holders;
  if (!h) return '';
  const commits = `${h.commits} commit${h.commits === 1 ? '' : 's'}`;
  if (f.kind === 'message') {
    const refs = h.refs.length ? `reachable from ${h.refs.map(shownRef).join(', ')}` : 'reachable from no ref (only old clones and reflogs still have it)';
    return `; ${refs}; ${h.inHead ? 'in HEAD\'s history' : 'not in HEAD\'s history'}`;
  }
  const refs = h.refs.length ? `the current tree of ${h.refs.map(shownRef).join(', ')} still holds it` : 'no ref\'s current tree holds it (only older commits)';
  return `; in ${commits}; ${refs}; ${h.inHead ? 'in HEAD' : 'not in HEAD'}`;
}

export function whereFound(f: Finding): string {
  if (isTagMessage(f)) {
    const c = f.commit;
    const tags = (f.holders?.refs ?? []).map(shownRef).join(', ') || 'a tag';
    return `message of the annotated tag ${tags}${c ? ` (tag object ${code(shortSha(c.sha))}, ${c.date} by ${redactText(`${c.author} <${c.email}>`)})` : ''}`;
  }
  if (f.kind !== 'message') return `${code(f.path)} line ${f.line}${when(f)}${holders(f)}`;
  const c = f.commit;
  return `commit message of ${code(shortSha(c?.sha ?? ''))}${c ? ` — ${c.date} by ${redactText(`${c.author} <${c.email}>`)}` : ''}${holders(f)}`;
}

export function liveText(v: VerifyResult | undefined, verifyRan: boolean): string {
  if (!v) return verifyRan ? 'not checked' : 'not checked (`secret-guard remediate --verify` asks Postmark; it sends the token to the API)';
  switch (v.status) {
    case 'live':
      return `**live** (${redactText(v.detail)})${v.server ? ` — server ${JSON.stringify(redactText(v.server.name))}${v.server.id !== undefined ? ` (ID ${v.server.id})` : ''}` : ''}`;
    case 'revoked':
      return `revoked (${redactText(v.detail)})`;
    case 'unknown':
      return `unknown (${redactText(v.detail)})`;
    default:
      return `not checkable (${redactText(v.detail)})`;
  }
}

/**
 * The server a credential belongs to, as far as known: Postmark's answer (--verify), else the
 * config's list, else a placeholder. `name` goes into commands and the audit entry as it is.
 */
function serverOf(c: Credential, v: VerifyResult | undefined, config: RemediationConfig): { name: string; fact: string } {
  if (c.kind === 'postmark-account') return { name: '(account-wide)', fact: 'the whole account (an account token is not tied to a server)' };
  if (v?.server) return { name: redactText(v.server.name), fact: `${code(redactText(v.server.name))}${v.server.id !== undefined ? ` (ID ${v.server.id})` : ''}, as Postmark answered --verify` };
  const servers = config.servers ?? [];
  if (servers.length === 1) return { name: servers[0]!, fact: `${code(servers[0]!)}, the one server in ${code('remediation.servers')}: confirm with the pre-check (step 1)` };
  if (servers.length > 1) return { name: `<ONE OF: ${servers.join(', ')}>`, fact: `one of ${servers.map(code).join(', ')} (${code('remediation.servers')}): the pre-check (step 1) prints which` };
  return { name: '<SERVER NAME>', fact: `not known here: the pre-check (step 1) prints its Name (list your servers in ${code('remediation.servers')})` };
}

function summaryTable(input: RotationInput): string {
  const rows = input.leaks.credentials.map(
    (c, i) =>
      `| ${i + 1} | ${KIND_TITLES[c.kind]} | ${code(redact(c.secret))} | ${code(c.id)} | ${input.verified ? (input.verified.get(c.id)?.status ?? 'not checked') : 'not checked'} | ${c.inHead ? 'yes' : 'no'} | ${c.findings.length} |`,
  );
  return ['| # | credential | redacted | secret id | live? | in HEAD | places |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Which messages hold a credential found in no file: commit, tag, or both. */
function messageKinds(c: Credential): string {
  const commit = c.findings.some((f) => !isTagMessage(f));
  return commit && c.tags.length ? 'commit and tag' : commit ? 'commit' : 'tag';
}

function credentialSection(c: Credential, n: number, input: RotationInput): string {
  const v = input.verified?.get(c.id);
  const redacted = redact(c.secret);
  const server = serverOf(c, v, input.config);
  const refs = [...new Set(c.findings.flatMap((f) => f.holders?.refs ?? []))].sort();
  const facts = [
    `**Credential:** ${KIND_TITLES[c.kind]}, redacted ${code(redacted)}, secret id ${code(c.id)} (the first 12 hex digits of its SHA-256), reported by ${c.ruleIds.map(code).join(', ')}`,
    `**Live:** ${liveText(v, Boolean(input.verified))}`,
    `**Server:** ${server.fact}`,
    `**In HEAD:** ${c.inHead ? 'yes — remove it from the code as well (read it from the environment or the secret manager) before the history rewrite' : c.inFiles ? 'no — only in history' : `no — only in ${messageKinds(c)} messages, never in a file: the code has nothing to change; the history rewrite (\`messages.txt\`) cleans them`}`,
    ...(c.tags.length ? [`**In tag messages:** ${c.tags.map(shownRef).join(', ')} — see "Tag messages" below`] : []),
    `**Refs holding it:** ${refs.length ? refs.map(shownRef).join(', ') : 'none at their tips: removed since; older commits that the refs reach still hold it'}`,
  ];
  return [
    `## ${n}. ${KIND_TITLES[c.kind]} ${code(redacted)} (id ${code(c.id)})`,
    '',
    list(facts),
    '',
    '**Where it was found**',
    '',
    list(c.findings.map(whereFound)),
    '',
    `**Rotation steps** (${KIND_TITLES[c.kind]})`,
    '',
    rotationSteps({ kind: c.kind, id: c.id, redacted, server: server.name, date: input.now.slice(0, 10), ruleIds: c.ruleIds, config: input.config }),
    ...(c.tags.length ? ['', tagSection(c.tags, input.remote ?? null)] : []),
  ].join('\n');
}

/** What to do about the tags whose message holds the credential (see tags.ts). */
function tagSection(tags: string[], remote: string | null): string {
  const where = remote ? code(remote) : 'the remote';
  return [
    '**Tag messages**',
    '',
    list([
      `[ ] The history rewrite cleans them: \`messages.txt\` holds this secret and \`git filter-repo --replace-message\` rewrites annotated tag messages too; the mirror push replaces the tags on ${where}. A signed tag loses its signature in the rewrite: sign it again.`,
      `[ ] Without that rewrite (BFG leaves tag messages alone), or if a tag is protected on the host: delete each tag and create it again with a clean message, here and on ${where}:`,
    ]),
    '',
    ...tags.map((t) => block('sh', recreateTagCommands(redactText(t), remote).join('\n'))),
    '',
    list([
      '[ ] On the host: a release made from the tag keeps its own notes: edit them if they quote the token. Tag protection rules may refuse the delete: lift them for the change.',
      `[ ] Every clone that fetched ${tags.map((t) => code(redactText(tagName(t)))).join(', ')} keeps the old tag (git fetch never replaces an existing tag): re-clone, or \`git fetch --force --tags\`.`,
    ]),
  ].join('\n');
}

function filesSection(input: RotationInput): string {
  const { files, reviewFiles } = input.leaks;
  const parts: string[] = [];
  if (files.length) {
    parts.push(
      '## Committed secrets files',
      '',
      '`paths.txt` removes these files from every commit. secret-guard recognises Postmark credentials only: every other value they ever held (database passwords, other API keys) leaked with them.',
      '',
      list(files.map((f) => `${code(f.path)}${when(f)}${holders(f)}`)),
      '',
      `- [ ] Review what each one held across history — ${files.map((f) => code(`git log --all -p -- '${f.path.replace(/'/g, `'\\''`)}'`)).join(', ')} — and rotate every credential in it.`,
      '- [ ] If you still need a file locally, keep a copy outside the repository; ignore it in `.gitignore` and commit a template (such as `.env.example`) instead.',
    );
  }
  if (reviewFiles.length) {
    parts.push(
      '',
      '## Committed files that often hold secrets (left in history)',
      '',
      'These are often committed on purpose with references only, so they are not in `paths.txt`. If one held real credentials, add its path to `paths.txt` before the rewrite and rotate what it held.',
      '',
      list(reviewFiles.map((f) => `${code(f.path)}${when(f)}${holders(f)}`)),
    );
  }
  return parts.join('\n');
}

/**
 * The config's remediation section with every secret-shaped value cut (a token pasted into a
 * `deploy` command or a consumer's `update` line), and whether any was: ROTATION.md is meant to be
 * pasted into tickets, so it never copies a credential from the config either.
 */
function shownRemediationConfig(config: RemediationConfig): { config: RemediationConfig; cut: string[] } {
  const cut: string[] = [];
  const clean = (key: string, v: string) => {
    const r = redactText(v);
    if (r !== v && !cut.includes(key)) cut.push(key);
    return r;
  };
  const out: RemediationConfig = {};
  if (config.secretManager !== undefined) out.secretManager = clean('secretManager', config.secretManager);
  if (config.consumers) out.consumers = config.consumers.map((k) => ({ name: clean('consumers', k.name), ...(k.update !== undefined ? { update: clean('consumers', k.update) } : {}) }));
  if (config.deploy) out.deploy = config.deploy.map((d) => clean('deploy', d));
  if (config.servers) out.servers = config.servers.map((d) => clean('servers', d));
  if (config.accountOwner !== undefined) out.accountOwner = clean('accountOwner', config.accountOwner);
  if (config.auditLog !== undefined) out.auditLog = clean('auditLog', config.auditLog);
  return { config: out, cut };
}

export function rotationMarkdown(raw: RotationInput): string {
  const { config, cut } = shownRemediationConfig(raw.config);
  const input = { ...raw, config };
  const { credentials, files } = input.leaks;
  const sections = credentials.map((c, i) => credentialSection(c, i + 1, input));
  const intro = [
    `# Rotation checklist: leaked credentials in ${redactText(input.repoName)}`,
    '',
    `Written by secret-guard ${input.toolVersion} on ${input.now} from a history scan of ${input.scope}: ${credentials.length} credential${credentials.length === 1 ? '' : 's'}${files.length ? ` and ${files.length} committed secrets file${files.length === 1 ? '' : 's'}` : ''}.`,
    '',
    'Each credential has one section, however many places it was found. Credentials are named by kind, redacted form and secret id, never in full, so a section can be pasted into a ticket as it is.',
    '',
    '**Rotate first, then rewrite history.** Removing a token from git does not un-leak it: anyone who cloned, forked or fetched the repository has it, and hosts keep cached copies.',
    '',
    'Organisation specifics come from the `remediation` section of the secret-guard config (`secretManager`, `consumers`, `deploy`, `servers`, `accountOwner`, `auditLog`); an `<ANGLE-BRACKETED PLACEHOLDER>` marks what it did not say.',
    ...(cut.length
      ? ['', `**Warning:** the config's ${cut.map((k) => code(`remediation.${k}`)).join(', ')} holds a value shaped like a credential; it is shown cut to its first four characters (\`abcd…\`), not copied. A config file is committed and shared: take the secret out of it (read it from the secret manager or the environment), and rotate it if it is real.`]
      : []),
  ];
  const summary = credentials.length ? ['', summaryTable(input)] : [];
  const files_ = filesSection(input);
  return [...intro, ...summary, ...sections.flatMap((s) => ['', s]), ...(files_ ? ['', files_] : []), ''].join('\n');
}
