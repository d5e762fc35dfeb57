/**
 * A seeded differential for "what is checked never configures the check": a base commit with a
 * random trusted setup (a config with ignorePaths, disabledRules, severity, failOn, maxFileSize
 * and a custom rule, as JSON or YAML; an ignore file, with CRLF line ends or a byte-order mark; a
 * tracked baseline; tokens allowed inline, ignored, baselined or in an ignored folder) and a pull
 * request on top that changes any of those (weakens, renames, deletes, links or moves the config,
 * adds a config in a subfolder, edits the ignore file and the baseline, adds allow comments next
 * to its own tokens, writes .gitattributes, puts `[skip ci]` and a token in a message, moves its
 * token into an ignored folder, adds a file over the base's size limit) and adds tokens.
 *
 * The oracle knows each token the pull request introduces (an event: path, secret, the rule the
 * base's rules report it under, whether an inline allow covers it) and judges it with the BASE's
 * settings only: hidden by an ignored path, a disabled rule, a base ignore-file or baseline entry;
 * failing at or above the base's failOn (a severity override included). A suppression the range
 * adds hides nothing in `--range` (README: exit 1 "until approved"), and an inline allow is the one
 * suppression a pusher controls at the push gates (README, Server hooks), which run with the base's
 * settings as the server's (its git directory's config and ignore file, --baseline in the hook's
 * line) and, for pre-push, from a checkout of the base (the client's own settings).
 * The same change goes through `scan --range main..pr`, a real push into a bare server with the
 * installed pre-receive hook, and the installed pre-push hook: exit codes and reported tokens
 * must agree with the oracle, and no secret is printed without --show-secrets.
 *
 * The base's settings put into a checkout of the change's tip then mean the same to the working
 * tree, the staged and the history scans.
 *
 * SEED=n replays a run; ROUNDS=n runs more cases (default 2).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { runSeed, seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, gitIn, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

const SERVER = 'postmark-server-token';
const CLIENT = 'postmark-hardcoded-client';
const CUSTOM = 'internal-mail-key';
const MESSAGE = '<commit message>';
const ALLOW = 'secret-guard:allow';
const RANK: Record<string, number> = { info: 1, warning: 2, error: 3 };

const CUSTOM_RULE = {
  id: CUSTOM,
  pattern: 'MAILKEY-(?<secret>[A-Z0-9]{20})',
  keywords: ['MAILKEY-'],
  severity: 'error',
  examples: ['relay_key = "MAILKEY-ABCDEFGHIJ0123456789"'],
  negativeExamples: ['relay_key = "MAILKEY-short"'],
};

/** A file holding one secret: its lines, the secret's line, and the rules that may report it, most specific first. */
interface Template {
  name: 'server' | 'client' | 'custom';
  ext: string;
  comment: string;
  rules: string[];
  /** The lines before the secret's line, and that line. */
  lines: (secret: string) => [string[], string];
  secret: (r: Random) => string;
}

const token = seededToken;
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const TEMPLATES: Template[] = [
  { name: 'server', ext: 'txt', comment: '#', rules: [SERVER], lines: (s) => [[], `POSTMARK_SERVER_TOKEN=${s}`], secret: token },
  {
    name: 'client',
    ext: 'js',
    comment: '//',
    // With the client rule disabled, the server-token rule reads the SDK call.
    rules: [CLIENT, SERVER],
    lines: (s) => [["const postmark = require('postmark');"], `const client = new postmark.ServerClient('${s}');`],
    secret: token,
  },
  {
    name: 'custom',
    ext: 'cfg',
    comment: '#',
    rules: [CUSTOM],
    lines: (s) => [['[relay]'], `relay_key = "MAILKEY-${s}"`],
    secret: (r) => Array.from({ length: 20 }, () => UPPER[r.int(UPPER.length)]).join(''),
  },
];

type Allow = 'none' | 'same' | 'above';

function fileText(t: Template, secret: string, allow: Allow): string {
  const [before, line] = t.lines(secret);
  const lines = [...before];
  if (allow === 'above') lines.push(`${t.comment} ${ALLOW} test fixture`);
  lines.push(allow === 'same' ? `${line} ${t.comment} ${ALLOW}` : line);
  return `${lines.join('\n')}\n`;
}

const fingerprint = (rule: string, secret: string, path: string) => createHash('sha256').update(`${rule}\0${secret}\0${path}`).digest('hex').slice(0, 32);

/** The base's settings, as the oracle reads them. */
interface Trusted {
  config: { ignorePaths?: string[]; disabledRules?: string[]; severity?: Record<string, string>; failOn?: string; maxFileSize?: string; rules?: (typeof CUSTOM_RULE)[] } | null;
  configName: string;
  ignore: Set<string>;
  baseline: Set<string>;
  useBaseline: boolean;
  /** Where the base keeps it: the root, or a folder (`ci/`) the change may turn into a link. */
  baselinePath: string;
}

/** A token the pull request brings, where and how. */
interface Event {
  path: string;
  secret: string;
  template: Template;
  inline: boolean;
  /** The pull request added its fingerprint to its own ignore file or baseline. */
  addedBy?: 'ignore-file' | 'baseline';
  /** For a token in a commit message: the message. */
  message?: string;
}

/** The rule the base's rules report `t` under, or undefined when none does. */
function ruleOf(s: Trusted, t: Template): string | undefined {
  const off = new Set(s.config?.disabledRules ?? []);
  return t.rules.find((id) => !off.has(id) && (id !== CUSTOM || Boolean(s.config?.rules?.length)));
}

/** The base's ignorePaths as the README reads them: folders, and a `!` folder taken back (as in .gitignore). */
function ignoredPath(s: Trusted, path: string): boolean {
  if (path === MESSAGE) return false;
  let ignored = false;
  for (const g of s.config?.ignorePaths ?? []) {
    const back = g.startsWith('!');
    if (path.startsWith(g.replace(/^!/, '').replace('/**', '/'))) ignored = !back;
  }
  return ignored;
}

interface Judged {
  /** Reported at all (any severity). */
  visible: boolean;
  rule?: string;
  /** Hidden by a base ignore-file or baseline entry. */
  trusted: boolean;
  /** At or above the base's failOn. */
  atFailOn: boolean;
}

function judge(s: Trusted, e: Event): Judged {
  const rule = ruleOf(s, e.template);
  if (!rule || ignoredPath(s, e.path)) return { visible: false, trusted: false, atFailOn: false };
  const fp = fingerprint(rule, e.secret, e.path);
  const trusted = s.ignore.has(fp) || (s.useBaseline && s.baseline.has(fp));
  const severity = s.config?.severity?.[rule] ?? 'error';
  const failOn = s.config?.failOn ?? 'error';
  return { visible: !trusted, rule, trusted, atFailOn: failOn !== 'none' && RANK[severity]! >= RANK[failOn]! };
}

const failsRange = (s: Trusted, e: Event) => {
  const j = judge(s, e);
  return j.visible && j.atFailOn;
};
const failsPush = (s: Trusted, e: Event) => failsRange(s, e) && !e.inline;

interface Case {
  repo: Repo;
  did: string[];
  trusted: Trusted;
  events: Event[];
  /** A file over the base's size limit with a keyword in it, outside an ignored folder. */
  unread: boolean;
  /** Files the base holds: their trusted copies, for the gates (outside the repository). */
  files: { config?: string; ignore?: string; baseline?: string };
  secrets: string[];
}

const baselineText = (fps: Iterable<string>) => JSON.stringify({ version: 1, findings: [...fps].sort().map((fingerprint) => ({ fingerprint, ruleId: 'x', file: 'x', line: 1 })) }, null, 2);

function buildCase(r: Random): Case {
  const did: string[] = [];
  const secrets: string[] = [];
  const fresh = (t: Template) => {
    const s = t.secret(r);
    secrets.push(s);
    return s;
  };
  // The trusted setup.
  let config: Trusted['config'] = null;
  if (r.chance(0.8)) {
    config = {};
    if (r.chance(0.6)) config.ignorePaths = r.pick([['ign/**'], ['vendor/**', 'ign/**'], ['ign/**', '!ign/keep/**']]);
    if (r.chance(0.3)) config.disabledRules = [r.pick([CLIENT, SERVER, CUSTOM])];
    if (r.chance(0.3)) config.severity = { [r.pick([CLIENT, SERVER, CUSTOM])]: r.pick(['warning', 'info']) };
    if (r.chance(0.4)) config.failOn = r.pick(['error', 'warning', 'info', 'none']);
    if (r.chance(0.5)) config.maxFileSize = '64kB';
    if (r.chance(0.6)) config.rules = [CUSTOM_RULE];
    // A custom rule that is not there cannot be disabled or given a severity (the config would not load).
    if (!config.rules) {
      if (config.disabledRules?.[0] === CUSTOM) delete config.disabledRules;
      if (config.severity?.[CUSTOM]) delete config.severity;
    }
  }
  const trusted: Trusted = { config, configName: r.chance(0.3) ? '.secret-guard.yml' : '.secret-guard.json', ignore: new Set(), baseline: new Set(), useBaseline: r.chance(0.6), baselinePath: r.chance(0.5) ? '.secret-guard-baseline.json' : 'ci/baseline.json' };
  const BASELINE = trusted.baselinePath;
  const files: Record<string, string> = { 'README.md': '# shop\n' };
  // Tokens the base already holds, each allowed, ignored, baselined, in an ignored folder or plain.
  const baseTokens: Array<{ path: string; secret: string; template: Template; status: string }> = [];
  for (let i = 0; i < 2 + r.int(3); i++) {
    const t = r.pick(TEMPLATES);
    const status = r.pick(['plain', 'same', 'above', 'ignored', 'baselined', 'ignpath']);
    const path = `${status === 'ignpath' ? 'ign' : 'base'}/${t.name}${i}.${t.ext}`;
    const secret = fresh(t);
    files[path] = fileText(t, secret, status === 'same' || status === 'above' ? status : 'none');
    const rule = ruleOf(trusted, t);
    if (rule && status === 'ignored') trusted.ignore.add(fingerprint(rule, secret, path));
    if (rule && status === 'baselined') trusted.baseline.add(fingerprint(rule, secret, path));
    baseTokens.push({ path, secret, template: t, status });
  }
  // Tokens approved on the base before the pull request adds them (README: "land the entry first").
  const approved: Array<{ path: string; secret: string; template: Template }> = [];
  for (let i = 0; i < r.int(3); i++) {
    const t = r.pick(TEMPLATES);
    const path = `app/approved${i}.${t.ext}`;
    const secret = fresh(t);
    const rule = ruleOf(trusted, t);
    if (rule) (r.chance(0.5) ? trusted.ignore : trusted.baseline).add(fingerprint(rule, secret, path));
    approved.push({ path, secret, template: t });
  }
  // Tokens in commit messages approved the same way (the fingerprint's path is `<commit message>`).
  const approvedMessages: string[] = [];
  for (let i = 0; i < r.int(2); i++) {
    const secret = fresh(TEMPLATES[0]!);
    const rule = ruleOf(trusted, TEMPLATES[0]!);
    if (rule) (r.chance(0.5) ? trusted.ignore : trusted.baseline).add(fingerprint(rule, secret, MESSAGE));
    approvedMessages.push(secret);
  }
  // A byte-order mark now and then, as Windows editors write one.
  const bom = () => (r.chance(0.2) ? '\uFEFF' : '');
  if (config) files[trusted.configName] = `${bom()}${JSON.stringify(config, null, 2)}`;
  if (trusted.ignore.size || r.chance(0.3)) {
    const lines = ['# approved exceptions', ...[...trusted.ignore].map((fp, i) => (i % 2 ? `${fp}  # revoked` : fp)), ''];
    const eol = r.chance(0.3) ? '\r\n' : '\n';
    files['.secret-guard-ignore'] = `${r.chance(0.3) ? '\uFEFF' : ''}${lines.join(eol)}`;
  }
  if (trusted.useBaseline || trusted.baseline.size || r.chance(0.5)) files[BASELINE] = `${bom()}${baselineText(trusted.baseline)}`;
  did.push(`base: ${JSON.stringify(config)} as ${trusted.configName}; ${trusted.ignore.size} ignored, ${trusted.baseline.size} baselined${trusted.useBaseline ? ' (--baseline)' : ''}; base tokens ${baseTokens.map((b) => `${b.path}:${b.status}`).join(' ')}`);
  const repo = makeRepo({ files, message: 'base' });
  const copies = tempDir('sg-trusted-');
  const keep = (name: string) => {
    if (!existsSync(join(repo.dir, name))) return undefined;
    const to = join(copies, name.split('/').pop()!.replace(/^\./, ''));
    copyFileSync(join(repo.dir, name), to);
    return to;
  };
  const kept = { config: config ? keep(trusted.configName) : undefined, ignore: keep('.secret-guard-ignore'), baseline: trusted.useBaseline ? keep(BASELINE) : undefined };

  // The pull request.
  repo.git('checkout', '-q', '-b', 'pr');
  const events: Event[] = [];
  const prFiles: string[] = [];
  let unread = false;
  let outside: string | undefined;
  const text = (p: string) => readFileSync(join(repo.dir, p), 'utf8');
  const commit = (change: Record<string, string | null>, message: string) => repo.commit(change, message);
  const addToken = (how: 'plain' | 'ignore-file' | 'baseline') => {
    // Once ci/ is a link, the change writes no baseline there.
    if (how === 'baseline' && outside && BASELINE.startsWith('ci/')) how = 'plain';
    const t = r.pick(TEMPLATES);
    const allow: Allow = how === 'plain' ? r.pick(['none', 'none', 'same', 'above']) : 'none';
    const folder = r.chance(0.25) ? r.pick(['ign', 'ign/keep', 'vendor']) : r.chance(0.2) ? 'sub/deep' : 'app';
    const path = `${folder}/new${events.length}.${t.ext}`;
    if (existsSync(join(repo.dir, path))) return;
    const secret = fresh(t);
    const change: Record<string, string | null> = { [path]: fileText(t, secret, allow) };
    const e: Event = { path, secret, template: t, inline: allow !== 'none' };
    // The pull request's own suppression, with the fingerprint the rule it expects would give.
    const rule = ruleOf(trusted, t) ?? t.rules[0]!;
    if (how === 'ignore-file') {
      const old = existsSync(join(repo.dir, '.secret-guard-ignore')) ? text('.secret-guard-ignore').replace(/\r?\n?$/, '\n') : '';
      change['.secret-guard-ignore'] = `${old}${fingerprint(rule, secret, path)}  # test fixture\n`;
      e.addedBy = 'ignore-file';
    } else if (how === 'baseline') {
      const old = existsSync(join(repo.dir, BASELINE)) ? (JSON.parse(text(BASELINE).replace(/^\uFEFF/, '')) as { findings: Array<{ fingerprint: string }> }).findings.map((f) => f.fingerprint) : [];
      change[BASELINE] = baselineText([...old, fingerprint(rule, secret, path)]);
      e.addedBy = 'baseline';
    }
    commit(change, `add ${path}`);
    events.push(e);
    prFiles.push(path);
    did.push(`add ${t.name} token ${path}${allow !== 'none' ? ` allowed ${allow}` : ''}${e.addedBy ? ` + its ${e.addedBy} entry` : ''}`);
  };

  const ops = 2 + r.int(6);
  for (let k = 0; k < ops; k++) {
    const op = r.int(17);
    switch (op) {
      case 0:
      case 1:
        addToken('plain');
        break;
      case 2:
        addToken('ignore-file');
        break;
      case 3:
        addToken('baseline');
        break;
      case 4: {
        const a = approved.shift();
        if (!a) break;
        commit({ [a.path]: fileText(a.template, a.secret, 'none') }, 'add the approved fixture');
        events.push({ ...a, inline: false });
        did.push(`add approved ${a.path}`);
        break;
      }
      case 5: {
        // The config, weakened, renamed, linked, moved or deleted: the base's still applies.
        const loose = r.pick<Record<string, unknown>>([{ failOn: 'none' }, { ignorePaths: ['**'] }, { disabledRules: [SERVER, CLIENT] }, { severity: { [SERVER]: 'info', [CLIENT]: 'info' } }, { maxFileSize: '10MB' }, {}]);
        const how = r.int(6);
        const body = JSON.stringify(loose);
        const change: Record<string, string | null> = {};
        if (how === 0) change[trusted.configName] = body;
        else if (how === 1) {
          change[trusted.configName] = null;
          change[trusted.configName.endsWith('.json') ? '.secret-guard.yml' : '.secret-guard.json'] = body;
        } else if (how === 2) change['sub/.secret-guard.json'] = body;
        else if (how === 3) change[trusted.configName] = null;
        else if (how === 4) {
          change['conf/loose.json'] = body;
          change[trusted.configName] = null;
          repo.write(change);
          symlinkSync('conf/loose.json', join(repo.dir, trusted.configName));
          commit({}, 'config is a link');
          did.push(`config becomes a link to ${body}`);
          break;
        } else change['.secret-guard.yaml'] = `failOn: none\nignorePaths: ['**']\n`;
        commit(change, 'settings');
        did.push(`config change ${how}: ${body}`);
        break;
      }
      case 6: {
        // The ignore file rewritten without the base's entries, or deleted; the baseline too.
        const which = r.pick(['.secret-guard-ignore', BASELINE]);
        if (!existsSync(join(repo.dir, which)) || (which === BASELINE && outside)) break;
        commit({ [which]: r.chance(0.5) ? null : which === BASELINE ? baselineText([]) : '# nothing\n' }, `reset ${which}`);
        did.push(`reset ${which}`);
        break;
      }
      case 7: {
        // One of its own token files moved into a folder the base ignores: where it came in still counts.
        const p = prFiles.find((f) => f.startsWith('app/') && existsSync(join(repo.dir, f)));
        if (!p) break;
        mkdirSync(join(repo.dir, 'ign'), { recursive: true });
        const to = `ign/moved${k}-${p.split('/').pop()}`;
        repo.git('mv', p, to);
        commit({}, 'move to ign');
        did.push(`mv ${p} ${to}`);
        break;
      }
      case 8: {
        // A base token (ignored, baselined, allowed...) copied to a new path: a new fingerprint.
        const b = r.pick(baseTokens);
        const path = `app/copy${k}.${b.template.ext}`;
        commit({ [path]: fileText(b.template, b.secret, 'none') }, 'copy');
        events.push({ path, secret: b.secret, template: b.template, inline: false });
        did.push(`copy ${b.path} to ${path}`);
        break;
      }
      case 9: {
        // A new secret appended to a base file whose own token is suppressed: the entry names the other secret.
        const b = r.pick(baseTokens.filter((x) => x.template.name !== 'client' && existsSync(join(repo.dir, x.path))));
        if (!b) break;
        const secret = fresh(b.template);
        const old = text(b.path);
        const lines = old.replace(/\n$/, '').split('\n');
        const line = b.template.lines(secret)[1];
        commit({ [b.path]: `${old}${line}\n` }, 'another one');
        // README: an allow on the line above covers it when that line is the comment alone; a
        // trailing allow names its own line only.
        const above = lines[lines.length - 1]!;
        events.push({ path: b.path, secret, template: b.template, inline: above.includes(ALLOW) && !/[\p{L}\p{N}]/u.test(above.slice(0, above.indexOf(ALLOW))) });
        did.push(`append a new secret to ${b.path} (${b.status})`);
        break;
      }
      case 10: {
        // The allow taken off a base token: a new finding.
        const b = baseTokens.find((x) => (x.status === 'same' || x.status === 'above') && existsSync(join(repo.dir, x.path)) && text(x.path).includes(ALLOW));
        if (!b) break;
        const c = b.template.comment;
        commit({ [b.path]: text(b.path).replace(`${c} ${ALLOW} test fixture\n`, '').replace(` ${c} ${ALLOW}`, '') }, 'no more allow');
        events.push({ path: b.path, secret: b.secret, template: b.template, inline: false });
        // A secret appended below it was covered by the same allow: now it is not, a new finding too.
        for (const e of events.filter((x) => x.path === b.path && x.inline && x.secret !== b.secret)) events.push({ ...e, inline: false });
        did.push(`take the allow off ${b.path}`);
        break;
      }
      case 11: {
        commit({ '.gitattributes': r.pick(['* -diff -text\n', '*.txt binary\n*.js binary\n*.cfg binary\n', '* filter=lfs diff=lfs merge=lfs -text\n', '* linguist-vendored\n']) }, 'attributes');
        did.push('.gitattributes');
        break;
      }
      case 12: {
        // A token in a commit message, allowed on its line or not, with CI-skipping words.
        const secret = approvedMessages.shift() ?? fresh(TEMPLATES[0]!);
        const allowed = r.chance(0.3);
        const message = `deploy [skip ci] [ci skip] ***NO_CI***\n\nPOSTMARK_SERVER_TOKEN=${secret}${allowed ? ` # ${ALLOW}` : ''}\n`;
        repo.git('commit', '-q', '--allow-empty', '-m', message);
        events.push({ path: MESSAGE, secret, template: TEMPLATES[0]!, inline: allowed, message });
        did.push(`token in a message${allowed ? ', allowed' : ''}`);
        break;
      }
      case 13: {
        // A file over the base's maxFileSize with a rule keyword: not read (exit 2) unless ignored.
        const folder = r.chance(0.3) ? 'ign' : 'app';
        const path = `${folder}/bundle${k}.js`;
        commit({ [path]: `// postmark mailer bundle, POSTMARK_SERVER_TOKEN from the environment\n${'x'.repeat(100)}\n`.repeat(800) }, 'bundle');
        if (config?.maxFileSize && !ignoredPath(trusted, path)) unread = true;
        did.push(`bundle ${path}`);
        break;
      }
      case 14: {
        // An allow added on a token the base already had: adds nothing.
        const b = baseTokens.find((x) => x.status === 'plain' && x.template.name === 'server' && existsSync(join(repo.dir, x.path)));
        if (!b) break;
        commit({ [b.path]: text(b.path).replace(b.secret, `${b.secret} # ${ALLOW}`) }, 'allow an old one');
        did.push(`allow old ${b.path}`);
        break;
      }
      case 15: {
        // The folder of the baseline the job names becomes a link to a folder outside the
        // repository, holding a baseline of every token the change brings (written at the end).
        if (!BASELINE.startsWith('ci/') || !existsSync(join(repo.dir, 'ci'))) break;
        outside = tempDir('sg-outside-');
        repo.git('rm', '-q', '-r', 'ci');
        symlinkSync(outside, join(repo.dir, 'ci'));
        commit({}, 'ci lives elsewhere');
        did.push('ci/ becomes a link to a folder outside the repository');
        break;
      }
      default: {
        // A custom rule of its own that matches nothing, and .secret-guard-ignore in a subfolder.
        commit({ 'sub/.secret-guard-ignore': '0123456789abcdef0123456789abcdef\n', 'sub/notes.md': 'nothing\n' }, 'sub settings');
        did.push('sub/.secret-guard-ignore');
      }
    }
  }
  if (!events.length) addToken('plain');
  if (outside) {
    writeFileSync(join(outside, 'baseline.json'), baselineText(events.flatMap((e) => e.template.rules.map((rule) => fingerprint(rule, e.secret, e.path)))));
  }
  return { repo, did, trusted, events, unread, files: kept, secrets };
}

type Reported = JsonReport['findings'][number] & { suppressedByChange?: { by: string; approved: boolean } };

const ENV = { ...GIT_IDENTITY, NO_COLOR: '1' };
function git(dir: string, args: string[]): { code: number; out: string } {
  const r = spawnSync('git', args, { cwd: dir, env: { ...process.env, ...ENV, HOME: dir }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

const noSecret = (c: Case, out: string, where: string) => {
  const shown = c.secrets.filter((s) => out.includes(s));
  expect(shown, `${where}: a secret was printed`).toEqual([]);
};

function checkRange(c: Case, where: string): void {
  const s = c.trusted;
  const BASELINE = s.baselinePath;
  const flags = s.useBaseline ? ['--baseline', BASELINE] : [];
  const r = cli(['scan', '--range', 'main..pr', ...flags, '--format', 'json', '--show-secrets'], c.repo.dir);
  const failing = c.events.filter((e) => failsRange(s, e));
  const want = failing.length ? 1 : c.unread ? 2 : 0;
  const atHead = (path: string) => {
    const g = git(c.repo.dir, ['show', `pr:${path}`]);
    return g.code === 0 ? g.out : '';
  };
  const headIgnore = new Set(atHead('.secret-guard-ignore').split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean));
  const headBaseline = new Set(atHead(BASELINE) ? (JSON.parse(atHead(BASELINE).replace(/^\uFEFF/, '')) as { findings: Array<{ fingerprint: string }> }).findings.map((x) => x.fingerprint) : []);
  expect(r.code, `${where}: --range exit\n${r.stderr}`).toBe(want);
  const json = JSON.parse(r.stdout) as JsonReport<Reported>;
  const key = (file: string, secret: string) => `${file}\0${secret}`;
  const events = new Map(c.events.map((e) => [key(e.path, e.secret), e]));
  for (const e of failing) {
    const f = json.findings.find((x) => x.file === e.path && x.match === e.secret);
    expect(f, `${where}: --range misses ${e.path} ${e.secret}`).toBeDefined();
    expect(f!.suppressedBy, `${where}: ${e.path}`).toBeUndefined();
    // Marked with what the change added that would hide it: an allow, else an entry still at its head.
    const fp = fingerprint(judge(s, e).rule!, e.secret, e.path);
    const by = e.inline ? 'inline' : headIgnore.has(fp) ? 'ignore-file' : s.useBaseline && headBaseline.has(fp) ? 'baseline' : undefined;
    expect(f!.suppressedByChange?.by, `${where}: ${e.path} marked as suppressed by the change`).toBe(by);
  }
  for (const f of json.findings) {
    const e = events.get(key(f.file, f.match!));
    expect(e, `${where}: --range reports ${f.file} ${f.ruleId} ${f.match}, which the change did not bring`).toBeDefined();
    const j = judge(s, e!);
    expect(j.visible, `${where}: --range reports ${f.file} ${f.match}, which the base's settings hide`).toBe(true);
    expect(f.ruleId, `${where}: ${f.file}`).toBe(j.rule);
  }
  const text = cli(['scan', '--range', 'main..pr', ...flags], c.repo.dir);
  expect(text.code, where).toBe(want);
  noSecret(c, text.stdout + text.stderr, `${where}: --range text`);
}

/**
 * The same trusted settings mean the same in the modes that read the user's own checkout: the
 * pull request's tip checked out with the base's config, ignore file and baseline put in place.
 * The working tree, the index (staged over the base) and the history list no finding a base
 * entry or ignored path hides; the history lists every token the change brought that the base's
 * settings leave failing, unless allowed inline where it came in.
 */
function checkOwnCheckout(c: Case, where: string): void {
  const { repo } = c;
  const s = c.trusted;
  const tip = repo.git('rev-parse', 'pr').trim();
  for (const name of ['.secret-guard.json', '.secret-guard.yml', '.secret-guard.yaml', '.secret-guard-ignore']) rmSync(join(repo.dir, name), { force: true });
  if (c.files.config) copyFileSync(c.files.config, join(repo.dir, s.configName));
  if (c.files.ignore) copyFileSync(c.files.ignore, join(repo.dir, '.secret-guard-ignore'));
  const flags = c.files.baseline ? ['--baseline', c.files.baseline] : [];
  const hidden = (f: Reported) => {
    if (ignoredPath(s, f.file)) return 'an ignored path';
    if (s.ignore.has(f.fingerprint)) return 'a base ignore-file entry';
    if (s.useBaseline && s.baseline.has(f.fingerprint)) return 'a base baseline entry';
    if ((s.config?.disabledRules ?? []).includes(f.ruleId)) return 'a disabled rule';
    return undefined;
  };
  const scan = (mode: string[], what: string) => {
    const r = cli(['scan', ...mode, ...flags, '--format', 'json', '--show-secrets'], repo.dir);
    const want = r.code;
    expect(want === 0 || want === 1 || (want === 2 && c.unread), `${where}; ${what}: exit ${want}\n${r.stderr}`).toBe(true);
    const json = JSON.parse(r.stdout) as JsonReport<Reported>;
    const wrong = json.findings.filter((f) => hidden(f)).map((f) => `${f.file} ${f.ruleId} ${f.match}: ${hidden(f)}`);
    expect(wrong, `${where}; ${what} lists what the base's settings hide`).toEqual([]);
    return json;
  };
  scan([], 'scan (working tree)');
  const history = scan(['--history'], 'scan --history');
  for (const e of c.events.filter((x) => failsPush(s, x))) {
    expect(history.findings.some((f) => f.file === e.path && f.match === e.secret && !f.suppressedBy), `${where}; scan --history misses ${e.path} ${e.secret}`).toBe(true);
  }
  // remediate reads the same ignore file and no baseline (README): what it would rewrite is
  // exactly the secrets the history scan without --baseline leaves active.
  const plain = cli(['scan', '--history', '--format', 'json', '--show-secrets'], repo.dir);
  const active = new Set((JSON.parse(plain.stdout) as JsonReport<Reported>).findings.filter((f) => !f.suppressedBy && f.kind !== 'path').map((f) => f.match!));
  const out = join(tempDir('sg-remediate-'), 'out');
  const rem = cli(['remediate', '--out', out, ...(c.unread ? ['--on-unread', 'accept'] : [])], repo.dir);
  expect(rem.code, `${where}; remediate\n${rem.stderr}`).toBe(active.size ? 1 : 0);
  const replaced = existsSync(join(out, 'replacements.txt')) ? readFileSync(join(out, 'replacements.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(0, l.lastIndexOf('==>'))) : [];
  expect(replaced.sort(), `${where}; remediate's replacements against the active history findings`).toEqual([...active].sort());
  noSecret(c, rem.stdout + rem.stderr, `${where}; remediate`);
  repo.git('reset', '-q', '--soft', 'main');
  try {
    scan(['--staged'], 'scan --staged (the change staged over the base)');
  } finally {
    repo.git('reset', '-q', '--soft', tip);
  }
  repo.git('checkout', '-q', '-f', 'pr');
  repo.git('clean', '-q', '-f', '-d');
}

/** A bare server holding main, put there before the hook, then given the base's settings as its own. */
function makeServer(c: Case, hook: boolean): string {
  const dir = makeRepo({ bare: true }).dir;
  gitIn(c.repo.dir, ['push', '-q', dir, 'main:refs/heads/main']);
  if (!hook) return dir;
  const inst = cli(['install', '--hook', 'pre-receive'], dir, { HOME: dir });
  expect(inst.code, inst.stderr).toBe(0);
  if (c.files.config) copyFileSync(c.files.config, join(dir, c.trusted.configName.slice(1)));
  if (c.files.ignore) copyFileSync(c.files.ignore, join(dir, '.secret-guard-ignore'));
  if (c.files.baseline) withHookFlag(join(dir, 'hooks', 'pre-receive'), 'scan --pre-receive', `--baseline '${c.files.baseline}'`);
  return dir;
}

/** The README's way to give a gate a flag: in the hook's scan line. */
function withHookFlag(hook: string, marker: string, flag: string): void {
  const text = readFileSync(hook, 'utf8');
  expect(text, hook).toContain(marker);
  writeFileSync(hook, text.replace(marker, `${marker} ${flag}`));
}

function checkPushOutcome(c: Case, p: { code: number; out: string }, where: string): void {
  const failing = c.events.filter((e) => failsPush(c.trusted, e));
  if (failing.length || c.unread) {
    expect(p.code, `${where}: must refuse\n${p.out}`).not.toBe(0);
    for (const e of failing) expect(p.out, `${where}: names ${e.path}`).toContain(e.path === MESSAGE ? 'commit message' : `${e.path}:`);
  } else expect(p.code, `${where}: must accept\n${p.out}`).toBe(0);
  noSecret(c, p.out, where);
}

function checkPreReceive(c: Case, where: string): void {
  const server = makeServer(c, true);
  const before = gitIn(server, ['for-each-ref']);
  const p = git(c.repo.dir, ['push', '--no-verify', server, 'pr:refs/heads/pr']);
  checkPushOutcome(c, p, `${where}; pre-receive`);
  if (p.code !== 0) expect(gitIn(server, ['for-each-ref']), where).toBe(before);
}

function checkPrePush(c: Case, where: string): void {
  const { repo } = c;
  const plain = makeServer(c, false);
  gitIn(repo.dir, ['remote', 'add', 'plain', plain]);
  gitIn(repo.dir, ['fetch', '-q', 'plain']);
  mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
  appendFileSync(join(repo.dir, '.git', 'info', 'exclude'), '/node_modules/\n');
  const inst = cli(['install', '--hook', 'pre-push'], repo.dir, { HOME: repo.dir });
  expect(inst.code, inst.stderr).toBe(0);
  if (c.files.baseline) withHookFlag(join(repo.dir, '.git', 'hooks', 'pre-push'), 'scan --pre-push "$@"', `--baseline '${c.files.baseline}'`);
  // The client's settings are its checkout's: the base's, with the pull request's branch pushed from there.
  repo.git('checkout', '-q', '-f', 'main');
  rmSync(join(repo.dir, 'sub'), { recursive: true, force: true });
  const p = git(repo.dir, ['push', 'plain', 'pr:refs/heads/pr']);
  checkPushOutcome(c, p, `${where}; pre-push from a checkout of the base`);
  // The commit-msg hook on each message, with the same checkout's settings.
  for (const e of c.events.filter((x) => x.message)) {
    const file = join(repo.dir, '.git', 'COMMIT_EDITMSG');
    writeFileSync(file, e.message!);
    const m = cli(['scan', '--commit-msg', file, ...(c.files.baseline ? ['--baseline', c.files.baseline] : [])], repo.dir);
    expect(m.code, `${where}; commit-msg of the message with ${e.secret}\n${m.stdout}${m.stderr}`).toBe(failsPush(c.trusted, e) ? 1 : 0);
    noSecret(c, m.stdout + m.stderr, `${where}; commit-msg`);
  }
}

const ROUNDS = Number(process.env.ROUNDS ?? 2);

describe('suppressions and settings come from the trusted side (seeded differential)', () => {
  const seed = runSeed();
  it(`--range, pre-receive and pre-push agree with the base's settings (SEED=${seed}, ROUNDS=${ROUNDS})`, () => {
    const r = seeded(seed);
    for (let i = 0; i < ROUNDS; i++) {
      const c = buildCase(r);
      const where = `SEED=${seed} case ${i}: ${c.did.join('; ')}`;
      checkRange(c, where);
      checkOwnCheckout(c, where);
      checkPreReceive(c, where);
      checkPrePush(c, where);
    }
    // Each case runs some twenty scans and two real pushes: a longer run gets the time it needs.
  }, Math.max(60_000, ROUNDS * 30_000));
});
