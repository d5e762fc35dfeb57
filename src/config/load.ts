/**
 * `.secret-guard.json` / `.secret-guard.yml`: found by walking up from the working directory, or
 * named with --config. Every key is validated and an invalid file is exit 2 naming the file and
 * the key: a config that is silently ignored is a suppression nobody asked for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../cli/errors.js';
import type { RuleSpec, Severity } from '../core/types.js';
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
  file?: string;
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

export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function parseFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
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
function jsonProblem(text: string, message: string): string {
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

export async function loadConfig(opts: { cwd: string; file?: string; noConfig?: boolean }): Promise<Config> {
  if (opts.noConfig) return EMPTY_CONFIG;
  const file = opts.file ? resolve(opts.cwd, opts.file) : findConfig(opts.cwd);
  if (!file) return EMPTY_CONFIG;
  if (opts.file && !existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  const cfg = validateConfig(await parseFile(file), file);
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
