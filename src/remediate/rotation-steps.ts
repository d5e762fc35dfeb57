/**
 * The rotation step lists of ROTATION.md, one per kind of credential, generalised from a Postmark
 * server-token rotation procedure: pre-check, generate in the dashboard (there is no API), validate,
 * store, propagate, verify downstream, revoke the old token, audit-log entry; then rollback and
 * gotchas. Everything particular to an organisation — the secret-manager command, the consumers,
 * the deploy commands, server names, the account owner, the audit log — comes from the config's
 * `remediation` section, or is an <ANGLE-BRACKETED PLACEHOLDER> that says what to fill in.
 */
import type { RemediationConfig } from '../config/load.js';
import type { LeakKind } from './leaks.js';
import { block, code } from './markdown.js';
import { DEFAULT_API_URL } from './verify.js';

export interface StepContext {
  kind: LeakKind;
  /** Secret id (secretId) of the credential. */
  id: string;
  /** Its redacted form, to recognise it in the dashboard. */
  redacted: string;
  /** The Postmark server it belongs to, as known (verify, config) or a `<PLACEHOLDER>`; plain text. */
  server: string;
  /** YYYY-MM-DD, for the new token's name. */
  date: string;
  /** The rule ids that reported it (custom rules name the secret). */
  ruleIds: string[];
  config: RemediationConfig;
}

const API = DEFAULT_API_URL;
const DASHBOARD = 'https://account.postmarkapp.com/';

/** The conventional names the secret lives under in configuration. */
export function secretNameFor(kind: LeakKind, ruleIds: string[]): string {
  switch (kind) {
    case 'postmark-server':
      return 'POSTMARK_SERVER_TOKEN';
    case 'postmark-account':
      return 'POSTMARK_ACCOUNT_TOKEN';
    case 'postmark-smtp':
      return 'POSTMARK_SMTP_PASSWORD';
    default:
      return (ruleIds[0] ?? 'secret').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  }
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
const step = (n: number, title: string, body: string) => `- [ ] **${n}. ${title}** ${indent(body).trimStart()}`;

function storeStep(n: number, c: StepContext, names: string): string {
  const cmd = c.config.secretManager;
  const how = cmd
    ? `with your secret manager (adapt the name if this command stores another secret):\n${block('sh', cmd)}`
    : `with ${code('<SECRET-MANAGER COMMAND>')} (set ${code('remediation.secretManager')} in the config to have it written here).`;
  return step(n, 'Store it in the secret manager', `as ${names}, ${how}\nKeep the previous value in the secret manager's history until the old credential is revoked: it is the rollback.`);
}

function propagateStep(n: number, c: StepContext, what: string): string {
  const consumers = c.config.consumers ?? [];
  const items = consumers.length
    ? consumers.map((k) => `${k.name}${k.update ? `: ${code(k.update)}` : ''}`)
    : [`${code('<EACH SERVICE, JOB, ENVIRONMENT AND CI SECRET THAT READS IT>')} (list them in ${code('remediation.consumers')})`];
  const deploy = c.config.deploy ?? [];
  items.push(deploy.length ? `Roll them out:\n${indent(block('sh', deploy.join('\n')))}` : `Roll them out with ${code('<DEPLOY OR RESTART COMMANDS>')} (${code('remediation.deploy')}).`);
  return `${step(n, 'Propagate to every consumer:', what)}\n${items.map((i) => `  - [ ] ${i}`).join('\n')}`;
}

function auditStep(n: number, c: StepContext, secretName: string, serverName: string, method: string): string {
  const where = c.config.auditLog ? `in ${code(c.config.auditLog)}` : `in ${code('<AUDIT LOG>')} (${code('remediation.auditLog')})`;
  const entry = [
    'action: secret.rotate.completed',
    'actor: <YOUR ADMIN ID>',
    'context: {',
    `  "secret_name": "${secretName}",`,
    `  "server_name": ${JSON.stringify(serverName)},`,
    `  "method": "${method}",`,
    `  "secret_id": "${c.id}",`,
    '  "reason": "leaked in git history"',
    '}',
  ].join('\n');
  return step(n, 'Audit-log entry', `${where}:\n${block('', entry)}\nThen clear the shell: ${code('unset OLD_TOKEN NEW_TOKEN')}.`);
}

function serverSteps(c: StepContext): string[] {
  const h = 'X-Postmark-Server-Token';
  const check = (v: string) => `curl -sS -H "Accept: application/json" -H "${h}: $${v}" ${API}/server | jq '{Name, ID}'`;
  return [
    step(1, 'Pre-check the leaked token.', `Load it into the shell as ${code('OLD_TOKEN')} from where it is stored today (it is not in this checklist), then:\n${block('sh', check('OLD_TOKEN'))}\nExpect the Name and ID of the server (${code(c.server)}); note both. Print only those two fields: the full answer lists the server's live tokens. A ${code('401')} with ${code('ErrorCode')} 10 means it is already revoked: make sure no consumer still uses it, then go to step 8.`),
    step(2, 'Generate the new token in the dashboard', `(Postmark has no API for this): ${DASHBOARD} → Servers → ${code(c.server)} → API Tokens → Generate. Name it ${code(`rotation ${c.date}`)} and copy it at once — it is shown once. Do not delete the old token yet (step 7). A server holds at most 3 tokens: at the limit, first delete one that nothing uses — never the one in use.`),
    step(3, 'Validate the new token.', `Set ${code('NEW_TOKEN')} in the shell (never in a file or a ticket), then:\n${block('sh', check('NEW_TOKEN'))}\nExpect the same Name and ID as in step 1. Optionally send one test email through it to an address you control (it counts toward the server's quota):\n${block('sh', `curl -sS -X POST ${API}/email -H "Accept: application/json" -H "Content-Type: application/json" -H "${h}: $NEW_TOKEN" \\\n  --data '{"From":"<SENDER SIGNATURE>","To":"<AN ADDRESS YOU CONTROL>","Subject":"Token rotation check","TextBody":"Token rotation check."}' | jq '.MessageID'`)}\nExpect a MessageID, then the email in that inbox.`),
    storeStep(4, c, code('POSTMARK_SERVER_TOKEN')),
    propagateStep(5, c, 'Every service, worker, environment and CI secret that reads it — SMTP senders too: the server API token is also an SMTP user name and password.'),
    step(6, 'Verify downstream.', `Make each consumer send a message (a real or test-flagged one) and confirm it arrives. Their logs must show no ${code('401')} and no ${code('InvalidAPIToken')} (ErrorCode 10) from Postmark.`),
    step(7, 'Revoke the old token:', `${DASHBOARD} → Servers → ${code(c.server)} → API Tokens → delete the OLD token (it starts ${code(c.redacted)}). Then:\n${block('sh', `curl -sS -o /dev/null -w "%{http_code}\\n" -H "Accept: application/json" -H "${h}: $OLD_TOKEN" ${API}/server`)}\nExpect ${code('401')}. Before the history rewrite, ${code('secret-guard remediate --verify --force')} reports ${code('revoked')} for ${code(c.id)}.`),
    auditStep(8, c, 'POSTMARK_SERVER_TOKEN', c.server, 'operator-assisted-dashboard'),
  ];
}

function accountSteps(c: StepContext): string[] {
  const h = 'X-Postmark-Account-Token';
  const check = (v: string) => `curl -sS -H "Accept: application/json" -H "${h}: $${v}" "${API}/servers?count=1&offset=0" | jq '.TotalCount'`;
  const owner = c.config.accountOwner ? code(c.config.accountOwner) : `${code('<ACCOUNT OWNER>')} (${code('remediation.accountOwner')})`;
  return [
    `Account API tokens are rotated by the account owner — ${owner} — under Account → API Tokens, not under a server. This is a separate procedure from a server token's.`,
    '',
    step(1, 'Pre-check the leaked token.', `Load it as ${code('OLD_TOKEN')} from where it is stored today, then:\n${block('sh', check('OLD_TOKEN'))}\nExpect a number (the account's servers); print nothing else: the answer includes servers' API tokens. ${code('401')} with ${code('ErrorCode')} 10: already revoked — go to step 8.`),
    step(2, 'Generate the new account token in the dashboard', `(no API exists): ${DASHBOARD} → Account → API Tokens → generate a token named ${code(`rotation ${c.date}`)}; copy it at once. Keep the old one until step 7.`),
    step(3, 'Validate the new token.', `Set ${code('NEW_TOKEN')} in the shell, then:\n${block('sh', check('NEW_TOKEN'))}\nExpect the same number as in step 1.`),
    storeStep(4, c, code('POSTMARK_ACCOUNT_TOKEN')),
    propagateStep(5, c, 'Whatever manages servers, domains and sender signatures with it: infrastructure code, provisioning scripts, admin tools. (Server-token consumers normally do not hold it; check the ones you list.)'),
    step(6, 'Verify downstream.', `Run each consumer's read-only path (a plan, a dry run, a listing) with the new token: no ${code('401')}.`),
    step(7, 'Revoke the old token:', `${DASHBOARD} → Account → API Tokens → delete the OLD token (it starts ${code(c.redacted)}). Then:\n${block('sh', `curl -sS -o /dev/null -w "%{http_code}\\n" -H "Accept: application/json" -H "${h}: $OLD_TOKEN" "${API}/servers?count=1&offset=0"`)}\nExpect ${code('401')}.`),
    step(8, 'Review the account.', `An account token reads every server's settings, their API tokens included, and can create and delete servers. Once it leaked, treat this account's server tokens as exposed too: rotate each with the server-token procedure, and look for servers, domains or sender signatures nobody here created.`),
    auditStep(9, c, 'POSTMARK_ACCOUNT_TOKEN', '(account-wide)', 'account-owner-dashboard'),
  ];
}

function smtpSteps(c: StepContext): string[] {
  return [
    `SMTP tokens belong to one message stream and rotate on their own, under that stream's Settings. They cannot be checked over the API (${code('--verify')} skips them); an SMTP login tells.`,
    '',
    step(1, 'Find the stream.', `The access key committed beside this secret key reads ${code('PM-T-<stream id>-…')}: ${DASHBOARD} → Servers → ${code(c.server)} → Message Streams → that stream → Settings → SMTP. Check that an SMTP token there starts like the committed access key.`),
    step(2, 'Generate a new SMTP token', `for that stream (access key and secret key); copy the secret key at once. Keep the old token until step 7.`),
    step(3, 'Validate the new token.', `Send one message through ${code('smtp.postmarkapp.com')} (port 587 with STARTTLS, or 2525) with the new access key as user name and the new secret key as password, to an address you control; it counts toward the server's quota.`),
    storeStep(4, c, `${code('POSTMARK_SMTP_USERNAME')} (access key) and ${code('POSTMARK_SMTP_PASSWORD')} (secret key)`),
    propagateStep(5, c, 'Every mailer that logs in with this pair: application SMTP settings, MTAs relaying through Postmark (Postfix maps, msmtp), CI.'),
    step(6, 'Verify downstream.', 'Make each sender deliver a message; their logs must show no SMTP authentication failures.'),
    step(7, 'Revoke the old token:', `delete the OLD SMTP token in the stream's Settings (its secret key starts ${code(c.redacted)}). An SMTP login with the old pair must now be refused.`),
    auditStep(8, c, 'POSTMARK_SMTP_PASSWORD', c.server, 'operator-assisted-dashboard'),
  ];
}

function otherSteps(c: StepContext): string[] {
  const name = secretNameFor(c.kind, c.ruleIds);
  return [
    `Found by ${c.ruleIds.map(code).join(', ')}, a rule that names no Postmark credential kind (a custom rule, or a token stored encoded: the finding's fix says how to tell which token it is): rotate it with its issuer's procedure, in this order.`,
    '',
    step(1, 'Pre-check', 'that the leaked credential still works (and what it grants).'),
    step(2, 'Create the new credential', 'before revoking the old one, so both work during the switch.'),
    step(3, 'Validate the new credential', 'against the same resource as the old one.'),
    storeStep(4, c, code(name)),
    propagateStep(5, c, 'Everything that reads it.'),
    step(6, 'Verify downstream.', 'No authentication failures in the consumers\' logs.'),
    step(7, 'Revoke the old credential', 'and check that it is refused.'),
    auditStep(8, c, name, '(n/a)', 'operator-assisted'),
  ];
}

const ROLLBACK = (thing: string) => [
  `- Until the old ${thing} is revoked, both work: point the consumers back at the old one (from the secret manager's history), roll out, skip the revocation, find out what is wrong with the new one, then start again at its generation. The old one is leaked: keep that window short.`,
  `- After the revocation the old ${thing} is gone. If the new one fails then, generate another, validate, propagate, and delete the broken one.`,
];

const GOTCHAS: Record<LeakKind, string[]> = {
  'postmark-server': [
    '- At most 3 API tokens per server: delete unused ones before generating a fourth.',
    '- No rotation API and no grace period: the dashboard is the only path, and the overlap comes from deleting the old token last.',
    "- SMTP tokens are separate: each message stream has its own, rotated under the stream's Settings. (The server API token also works as SMTP user name and password: senders using it that way are consumers of this rotation.)",
    '- Account API tokens are different: the account owner rotates them under Account → API Tokens, with their own procedure.',
    "- Test emails count toward the server's send quota: use a low-volume server or a recipient you control.",
  ],
  'postmark-account': [
    '- Only the account owner (and admins) can see and rotate account tokens.',
    '- No rotation API: the dashboard is the only path; create the new token before deleting the old.',
    "- Server tokens and SMTP tokens are separate credentials with their own procedures — but this token could read the server tokens (step 8).",
  ],
  'postmark-smtp': [
    '- One SMTP token per purpose and stream: rotating it does not touch the server API tokens, and rotating those does not touch it.',
    "- Test emails count toward the server's send quota.",
    '- The access key is not secret on its own, but with the leaked secret key it was a working login: both are replaced.',
  ],
  other: ['- secret-guard knows nothing about this credential beyond the rule that found it: follow its issuer\'s documentation.'],
};

export function rotationSteps(c: StepContext): string {
  const steps = c.kind === 'postmark-server' ? serverSteps(c) : c.kind === 'postmark-account' ? accountSteps(c) : c.kind === 'postmark-smtp' ? smtpSteps(c) : otherSteps(c);
  const thing = c.kind === 'other' ? 'credential' : 'token';
  return [steps.join('\n'), '', '**Rollback**', '', ...ROLLBACK(thing), '', '**Gotchas**', '', ...GOTCHAS[c.kind]].join('\n');
}
