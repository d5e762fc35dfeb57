/**
 * `.secret-guard.json` / `.secret-guard.yml`: named with --config, or found walking up from the
 * working directory to the repository's root and no further (a config in a shared /tmp or a home
 * folder is not the repository's). Outside a repository only the working directory's own config
 * counts. In a range scan the config comes from the trusted side instead: --config, else the base
 * commit's, read through git. Every key is validated and an invalid file is exit 2 naming the
 * file and the key: a config that is silently ignored is a suppression nobody asked for.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../cli/errors.js';
import type { RuleSpec, Severity } from '../core/types.js';
import { findRepo } from '../sources/git.js';
import { atCommit, readEntry, treeEntries } from './from-commit.js';
import { readSettingsFile } from './settings-file.js';
import { parseSize } from './size.js';

export const CONFIG_NAMES = ['.secret-guard.json', '.secret-guard.yml', '.secret-guard.yaml'];

export interface RemediationConfig {
  /** The command that stores a new token, e.g. `vault kv put secret/mail POSTMARK_SERVER_TOKEN="$NEW_TOKEN"`. */
  secretManager?: string;
  /** Who reads the token, each with how it is updated. */
  consumers?: Array<{ name: string; update?: string }>;
  /** Commands that roll the consumers out after the secret changes. */
  deploy?: string[];
  /** Postmark server names, by environment or plain list. */
  servers?: string[];
  /** Who owns the account token (account tokens are rotated by the account owner). */
  accountOwner?: string;
  /** Where the audit-log entry goes, e.g. a command or a ticket queue. */
  auditLog?: string;
}

export interface Config {
  /** Where it was read, as messages name it (a path, or `<commit>:path` for one read from a commit). */
  file?: string;
  /**
   * Its path relative to the repository root (outside one: to the working directory) when the
   * scan also reads it as a file: the one path exempt from scanning, since a config's custom
   * rules carry examples that match them by design. Unset for a config from outside the scanned
   * tree or from a commit.
   */
  repoPath?: string;
  /**
   * For a config read from a commit (--range): its path in the repository. The range may change
   * that file, so the path is scanned, but the config's own custom rules are not run on it: their
   * examples sit there by design (a new example of an existing rule is not a leak).
   */
  commitPath?: string;
  /** What the report should say about where the settings came from (a config changed in the range). */
  notes?: string[];
  ignorePaths: string[];
  disabledRules: string[];
  severity: Record<string, Severity>;
  rules: RuleSpec[];
  maxFileSize?: number;
  failOn?: Severity | 'none';
  remediation: RemediationConfig;
}

export const EMPTY_CONFIG: Config = { ignorePaths: [], disabledRules: [], severity: {}, rules: [], remediation: {} };

const SEVERITIES = ['error', 'warning', 'info'];
const KEYS = ['$schema', 'ignorePaths', 'disabledRules', 'severity', 'rules', 'maxFileSize', 'failOn', 'remediation'];

/**
 * The config for `cwd`: the first of CONFIG_NAMES in `cwd` or a folder above it, up to `stopAt`
 * (the repository root) and never above it; only `cwd`'s own when `stopAt` is null.
 */
export function findConfig(cwd: string, stopAt: string | null): string | undefined {
  const top = stopAt === null ? resolve(cwd) : resolve(stopAt);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const p = join(dir, name);
      if (present(p)) return p;
    }
    if (dir === top || dirname(dir) === dir || !isUnder(dir, top)) return undefined;
  }
}

/** Anything at all under that name, a link or a FIFO included: the reader refuses those, loudly. */
function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

const isUnder = (path: string, root: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** `path` relative to `root` with `/` separators, through real paths (a /tmp link, a symlinked home). */
export function relativeTo(root: string, path: string): string | undefined {
  let real: string;
  try {
    real = join(realpathSync(dirname(path)), basename(path));
    root = realpathSync(root);
  } catch {
    return undefined;
  }
  return isUnder(real, root) ? relative(root, real).split(sep).join('/') : undefined;
}

async function parseText(text: string, file: string): Promise<unknown> {
  if (/\.ya?ml$/i.test(file)) {
    const { parse } = await import('yaml');
    try {
      return parse(text) ?? {};
    } catch (err) {
      throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${jsonProblem(text, (err as Error).message)}`);
  }
}

/**
 * V8's JSON errors quote the text around the problem (`Unexpected token 'x', "{"a": x6f1c2d3e-"...
 * is not valid JSON`), and that text may be a secret. Keep the words, drop the quote, and say
 * where: the line and column, from the position V8 gives or from where its quote sits.
 */
export function jsonProblem(text: string, message: string): string {
  const quoted = /^(.*?), (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON$/.exec(message);
  let words = message;
  let at = -1;
  const pos = / (?:in JSON )?at position (\d+)/.exec(message);
  if (pos) {
    words = message.slice(0, pos.index);
    at = Number(pos[1]);
  } else if (quoted) {
    const [, said, lead, quote, trail] = quoted as unknown as [string, string, string | undefined, string, string | undefined];
    words = said;
    // The quote runs from ten characters before the problem to ten after, cut at the ends.
    const i = text.indexOf(quote);
    const token = /^Unexpected token '(.)'/.exec(said)?.[1];
    if (i !== -1) at = lead ? i + 10 : trail ? i + quote.length - 10 : i + Math.max(0, token ? quote.indexOf(token) : 0);
  } else {
    words = message.replace(/\s*"[\s\S]*$/, '');
  }
  if (at < 0) return words;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `${words} (line ${line}, column ${at - before.lastIndexOf('\n')})`;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function validateConfig(raw: unknown, file: string): Config {
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`${file}: \`${key}\` ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('(top level)', 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) fail(k, `is not a known key (known: ${KEYS.slice(1).join(', ')})`);
  const cfg: Config = { file, ignorePaths: [], disabledRules: [], severity: {}, rules: [], remediation: {} };
  if (o.ignorePaths !== undefined) {
    if (!isStringArray(o.ignorePaths)) fail('ignorePaths', 'must be a list of glob strings');
    cfg.ignorePaths = o.ignorePaths as string[];
  }
  if (o.disabledRules !== undefined) {
    if (!isStringArray(o.disabledRules)) fail('disabledRules', 'must be a list of rule ids');
    cfg.disabledRules = o.disabledRules as string[];
  }
  if (o.severity !== undefined) {
    if (typeof o.severity !== 'object' || o.severity === null || Array.isArray(o.severity)) fail('severity', 'must map rule ids to error, warning or info');
    for (const [id, sev] of Object.entries(o.severity as object)) {
      if (!SEVERITIES.includes(sev as string)) fail(`severity.${id}`, `must be one of ${SEVERITIES.join(', ')}`);
    }
    cfg.severity = o.severity as Record<string, Severity>;
  }
  if (o.maxFileSize !== undefined) {
    const n = parseSize(o.maxFileSize as string | number);
    if (n === null) fail('maxFileSize', 'must be a size such as 5MB or a number of bytes');
    cfg.maxFileSize = n!;
  }
  if (o.failOn !== undefined) {
    if (![...SEVERITIES, 'none'].includes(o.failOn as string)) fail('failOn', 'must be error, warning, info or none');
    cfg.failOn = o.failOn as Config['failOn'];
  }
  if (o.rules !== undefined) {
    if (!Array.isArray(o.rules)) fail('rules', 'must be a list of rules');
    cfg.rules = (o.rules as unknown[]).map((r, i) => customRule(r, `rules[${i}]`, fail));
  }
  if (o.remediation !== undefined) cfg.remediation = remediation(o.remediation, fail);
  return cfg;
}

/** A custom rule: the `git secrets --add` of this tool, with its own examples checked at load time. */
function customRule(raw: unknown, key: string, fail: (key: string, what: string) => never): RuleSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(key, 'must be an object');
  const r = raw as Record<string, unknown>;
  const allowed = ['id', 'title', 'description', 'fix', 'pattern', 'keywords', 'severity', 'examples', 'negativeExamples'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) fail(`${key}.${k}`, `is not a rule key (known: ${allowed.join(', ')})`);
  if (typeof r.id !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.id)) fail(`${key}.id`, "must be lower-case words joined by '-'");
  if (typeof r.pattern !== 'string') fail(`${key}.pattern`, 'is required: a regular expression, with a named group `secret` if only part of the match is secret');
  try {
    new RegExp(r.pattern as string);
  } catch (err) {
    fail(`${key}.pattern`, `is not a valid regular expression: ${(err as Error).message}`);
  }
  if (r.keywords !== undefined && !isStringArray(r.keywords)) fail(`${key}.keywords`, 'must be a list of strings');
  if (r.severity !== undefined && !SEVERITIES.includes(r.severity as string)) fail(`${key}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
  const examples = (k: string) => {
    const v = r[k];
    if (!isStringArray(v) || v.length === 0) fail(`${key}.${k}`, 'must be a non-empty list of example lines');
    return v as string[];
  };
  return {
    id: r.id as string,
    title: (r.title as string) ?? (r.id as string),
    description: (r.description as string) ?? `Matches the custom rule ${r.id as string}.`,
    fix: (r.fix as string) ?? 'Move the secret to the environment or a secret manager and rotate it.',
    severity: (r.severity as Severity) ?? 'error',
    keywords: r.keywords as string[] | undefined,
    secret: r.pattern as string,
    contexts: [{}],
    tags: ['custom'],
    examples: examples('examples'),
    negativeExamples: examples('negativeExamples'),
  };
}

function remediation(raw: unknown, fail: (key: string, what: string) => never): RemediationConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('remediation', 'must be an object');
  const r = raw as Record<string, unknown>;
  const allowed = ['secretManager', 'consumers', 'deploy', 'servers', 'accountOwner', 'auditLog'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) fail(`remediation.${k}`, `is not a known key (known: ${allowed.join(', ')})`);
  for (const k of ['secretManager', 'accountOwner', 'auditLog']) {
    if (r[k] !== undefined && typeof r[k] !== 'string') fail(`remediation.${k}`, 'must be a string');
  }
  for (const k of ['deploy', 'servers']) if (r[k] !== undefined && !isStringArray(r[k])) fail(`remediation.${k}`, 'must be a list of strings');
  let consumers: RemediationConfig['consumers'];
  if (r.consumers !== undefined) {
    if (!Array.isArray(r.consumers)) fail('remediation.consumers', 'must be a list');
    consumers = (r.consumers as unknown[]).map((c, i) => {
      if (typeof c === 'string') return { name: c };
      if (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') {
        const u = (c as { update?: unknown }).update;
        if (u !== undefined && typeof u !== 'string') fail(`remediation.consumers[${i}].update`, 'must be a string');
        return { name: (c as { name: string }).name, update: u as string | undefined };
      }
      return fail(`remediation.consumers[${i}]`, 'must be a name or { name, update }');
    });
  }
  return { ...(r as RemediationConfig), consumers };
}

/**
 * Where a config may come from. --config always counts; without it:
 * - `worktree`: found from the working directory up to the repository root (scan, --staged,
 *   --history, remediate: the user's own checkout);
 * - `commit`: the repository root's config as `commit` holds it (--range: the base), and a
 *   --config inside the repository is read from that commit too; `head` is compared with it, to
 *   say that the range changes the config;
 * - `explicit`: nothing but --config (a server-side gate, where every file in the repository is
 *   the pushed change's).
 */
export type ConfigOrigin = { from: 'worktree' } | { from: 'commit'; root: string; commit: string; head: string } | { from: 'explicit' };

export interface LoadOptions {
  cwd: string;
  file?: string;
  noConfig?: boolean;
  origin?: ConfigOrigin;
}

export async function loadConfig(opts: LoadOptions): Promise<Config> {
  if (opts.noConfig) return EMPTY_CONFIG;
  const origin = opts.origin ?? { from: 'worktree' };
  if (origin.from === 'commit') return fromCommit(opts, origin);
  let file: string | undefined;
  let base: string;
  if (opts.file) {
    file = resolve(opts.cwd, opts.file);
    const repo = await findRepo(opts.cwd);
    base = repo && !repo.bare ? repo.root : opts.cwd;
  } else {
    if (origin.from === 'explicit') return EMPTY_CONFIG;
    const repo = await findRepo(opts.cwd);
    base = repo ? repo.root : opts.cwd;
    file = findConfig(opts.cwd, repo ? repo.root : null);
    if (!file) return EMPTY_CONFIG;
  }
  const text = readSettingsFile(file, 'config file');
  if (text === null) throw new ConfigError(`config file ${file} does not exist`);
  const cfg = await checked(await parseText(text, file), file);
  cfg.repoPath = relativeTo(base, file);
  return cfg;
}

/** A range's config: --config (from the base when it is a tracked file), else the base's root config. */
async function fromCommit(opts: LoadOptions, o: Extract<ConfigOrigin, { from: 'commit' }>): Promise<Config> {
  let paths = CONFIG_NAMES;
  if (opts.file) {
    const abs = resolve(opts.cwd, opts.file);
    const rel = relativeTo(o.root, abs);
    const tracked = rel !== undefined && ((await treeEntries(o.root, o.commit, [rel])).has(rel) || (await treeEntries(o.root, o.head, [rel])).has(rel));
    if (!tracked) {
      // The CI job's own file, outside what the change can touch: trusted as given.
      const text = readSettingsFile(abs, 'config file');
      if (text === null) throw new ConfigError(`config file ${abs} does not exist`);
      return checked(await parseText(text, abs), abs);
    }
    paths = [rel!];
  }
  const [atBase, atHead] = await Promise.all([treeEntries(o.root, o.commit, paths), treeEntries(o.root, o.head, paths)]);
  const name = paths.find((p) => atBase.has(p));
  const headName = paths.find((p) => atHead.has(p));
  const notes: string[] = [];
  if (name !== headName || (name && atBase.get(name)!.sha !== atHead.get(name)!.sha)) {
    const which = name ?? headName!;
    notes.push(
      `the config ${which} changes in this range; this scan used the base's ${name ? `version (${atCommit(o.commit, name)})` : 'settings (it had none: the defaults)'}, and the change takes effect once it is merged`,
    );
  }
  if (!name) return { ...EMPTY_CONFIG, notes };
  const shown = atCommit(o.commit, name);
  const cfg = await checked(await parseText(await readEntry(o.root, o.commit, atBase.get(name)!, 'config file'), shown), shown);
  cfg.notes = notes;
  cfg.commitPath = name;
  return cfg;
}

async function checked(raw: unknown, file: string): Promise<Config> {
  const cfg = validateConfig(raw, file);
  if (cfg.rules.length) {
    const [{ lintRules }, { builtinRules }] = await Promise.all([import('../rules/lint.js'), import('../rules/builtin.js')]);
    const builtin = builtinRules();
    const clash = cfg.rules.find((r) => builtin.some((b) => b.id === r.id));
    if (clash) throw new ConfigError(`${file}: rules: id ${clash.id} is a built-in rule; choose another id`);
    const problems = lintRules(cfg.rules, (id) => `${file}: rules: ${id}`);
    if (problems.length) throw new ConfigError(problems.join('\n'));
  }
  return cfg;
}
