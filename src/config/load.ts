/**
 * `.secret-guard.json` / `.secret-guard.yml`: named with --config, or found walking up from the
 * working directory to the repository's root and no further (a config in a shared /tmp or a home
 * folder is not the repository's). Outside a repository only the working directory's own config
 * counts, and not for a named path inside a repository below it. In a range scan the config comes from the trusted side instead: --config, else the base
 * commit's, read through git. Every key is validated and an invalid file is exit 2 naming the
 * file and the key: a config that is silently ignored is a suppression nobody asked for.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isInside } from '../paths.js';
import { ConfigError } from '../errors.js';
import type { FailOn, RuleSpec, Severity } from '../core/types.js';
import { findRepo, type Repo } from '../sources/git.js';
import { readSettingsFile } from './settings-file.js';
// The validator, the key locator and the commit reader load only when a config is read (lazily):
// the pre-commit hook of a repository without a config pays for none of them.
import type { KeyPath } from './locate.js';
import { parseSize } from './size.js';

const CONFIG_NAMES = ['.secret-guard.json', '.secret-guard.yml', '.secret-guard.yaml'];

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
   * Its path in the scanned repository (relative to the root; outside one, to the working
   * directory) when the scan also reads it as a file: in the working tree, the index, history, or
   * (for a config read from a commit, --range) the commits of the range. It is scanned like any
   * file, but its own custom rules' findings there are dropped: their examples sit in it by design
   * (a new example of an existing rule is not a leak), while a token pasted elsewhere in it is.
   * Unset for a config from outside the scanned tree.
   */
  repoPath?: string;
  /** What the report should say about where the settings came from (a config changed in the range). */
  notes?: string[];
  ignorePaths: string[];
  disabledRules: string[];
  severity: Record<string, Severity>;
  rules: RuleSpec[];
  maxFileSize?: number;
  failOn?: FailOn;
  remediation: RemediationConfig;
}

export const EMPTY_CONFIG: Config = { ignorePaths: [], disabledRules: [], severity: {}, rules: [], remediation: {} };

/**
 * The config for `cwd`: the first of CONFIG_NAMES in `cwd` or a folder above it, up to `stopAt`
 * (the repository root) and never above it; only `cwd`'s own when `stopAt` is null.
 */
function findConfig(cwd: string, stopAt: string | null): string | undefined {
  const top = stopAt === null ? resolve(cwd) : resolve(stopAt);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = CONFIG_NAMES.map((name) => join(dir, name)).filter(present);
    if (found.length > 1) twoConfigs(found.map((p) => basename(p)), dir);
    if (found.length) return found[0];
    if (dir === top || dirname(dir) === dir || !isInside(dir, top)) return undefined;
  }
}

/**
 * Two configs side by side (`.secret-guard.json` and `.secret-guard.yml`): one was read and the
 * other ignored in silence, so whoever edits the other one sees settings that do nothing.
 */
export function twoConfigs(names: string[], where: string): never {
  throw new ConfigError(`${names.join(' and ')} are both in ${where}, and only one config is read`, 'Merge them into one file and delete the other.');
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

/** `path` relative to `root` with `/` separators, through real paths (a /tmp link, a symlinked home). */
export function relativeTo(root: string, path: string): string | undefined {
  let real: string;
  try {
    real = join(realpathSync(dirname(path)), basename(path));
    root = realpathSync(root);
  } catch {
    return undefined;
  }
  return isInside(real, root) ? relative(root, real).split(sep).join('/') : undefined;
}

/** The parsed settings, and where a key of them sits (for messages). */
interface Parsed {
  raw: unknown;
  lineOf: (path: KeyPath) => number | undefined;
}

async function parseText(text: string, file: string): Promise<Parsed> {
  const { jsonLine } = await import('./locate.js');
  if (/\.ya?ml$/i.test(file)) return parseYaml(text, file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${jsonProblem(text, (err as Error).message)}`);
  }
  const { repeatedJsonKey } = await import('./json-keys.js');
  const twice = repeatedJsonKey(text);
  if (twice) throw new ConfigError(`${file}:${twice.line}: \`${await keyNameOf(twice.path)}\` is given twice; JSON would keep the last one silently, so say it once`);
  return { raw, lineOf: (path) => jsonLine(text, path) };
}

const keyNameOf = async (path: KeyPath) => (await import('./validate.js')).keyName(path);

/**
 * YAML read as its reader reads it, or refused. The parser's errors (a key given twice, more than
 * one document) were always refused; so now is what it only warned about and loaded anyway as
 * something else: a tag it does not know (`!!js/function x`, `!custom x` load as the string `x`),
 * an unknown directive. Typed values that are not JSON (`!!binary`, `!!set`, `!!omap`,
 * `!!timestamp`: a Buffer, a Set, a Map, a Date) are refused where they stand, since the schema
 * would read a Map as an empty object; a list or map used as a key (stringified, with a warning on
 * the process's stderr) too; an alias that is missing, or that expands past the parser's limit
 * (an alias bomb), is a config error rather than an internal one.
 */
async function parseYaml(text: string, file: string): Promise<Parsed> {
  const { yamlLine } = await import('./locate.js');
  const { LineCounter, parseDocument, visit, isScalar } = await import('yaml');
  const lines = new LineCounter();
  // logLevel error: the parser's warnings are turned into errors here, never printed by it.
  const doc = parseDocument(text, { lineCounter: lines, logLevel: 'error' });
  const where = (offset: number | undefined) => (offset === undefined ? '' : ` (line ${lines.linePos(offset).line})`);
  if (doc.errors.length) throw new ConfigError(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.warnings.length) {
    const w = doc.warnings[0]!;
    throw new ConfigError(`${file} is not plain YAML: ${w.message.split(' at line ')[0]}${where(w.pos[0])}; settings take plain values (strings, numbers, lists, maps), so it was not read`);
  }
  let badKey: number | undefined | null = null;
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        badKey = (pair.key as { range?: [number] }).range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (badKey !== null) throw new ConfigError(`${file}${where(badKey)}: a key is a list, a map or an alias; settings keys are plain names, so it was not read`);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // An alias to no anchor, or one that expands past the parser's alias limit.
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const odd = notJson(raw ?? {}, []);
  if (odd) throw new ConfigError(`${file}: \`${await keyNameOf(odd.path)}\` is a YAML ${odd.what}, not a plain value (a string, number, list or map), so it was not read`);
  return { raw: raw ?? {}, lineOf: (path) => yamlLine(doc, lines, path) };
}

/** The first value that JSON has no form for, and what it is. */
function notJson(v: unknown, path: KeyPath): { path: KeyPath; what: string } | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v))) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = notJson(v[i], [...path, i]);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const bad = notJson(x, [...path, k]);
      if (bad) return bad;
    }
    return undefined;
  }
  const what = typeof v === 'number' ? 'NaN' : v instanceof Uint8Array ? 'binary value (!!binary)' : v instanceof Set ? 'set (!!set)' : v instanceof Map ? 'ordered map or pairs (!!omap, !!pairs)' : v instanceof Date ? 'timestamp (!!timestamp)' : `value of type ${typeof v}`;
  return { path, what };
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

/**
 * A parsed settings file as a Config: the shape is schema/config.schema.json's (one source of
 * truth, checked by the validator built from it); what a schema cannot say (a size that parses, a
 * pattern that compiles) is checked here. Messages name the file, the line when known, and the key.
 */
export async function validateConfig(raw: unknown, file: string, lineOf?: (path: KeyPath) => number | undefined): Promise<Config> {
  const { keyName, schema, schemaProblem } = await import('./validate.js');
  const fail = (path: KeyPath, what: string): never => {
    const line = lineOf?.(path);
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: \`${keyName(path)}\` ${what}`);
  };
  const problem = schemaProblem(raw);
  if (problem) fail(problem.path, problem.what);
  const o = raw as ConfigFile;
  // picomatch throws on an empty glob (the scan died as an internal error) and a lone `!`
  // would take back nothing: neither names a path.
  (o.ignorePaths ?? []).forEach((g, i) => {
    if (g.trim() === '' || g.trim() === '!') fail(['ignorePaths', i], 'is empty: each entry is a glob naming the paths not to scan');
  });
  let maxFileSize: number | undefined;
  if (o.maxFileSize !== undefined) {
    const n = parseSize(o.maxFileSize);
    if (n === null) fail(['maxFileSize'], schema().properties!.maxFileSize!.errorMessage!);
    maxFileSize = n!;
  }
  const rules = (o.rules ?? []).map((r, i): RuleSpec => {
    try {
      new RegExp(r.pattern);
    } catch (err) {
      fail(['rules', i, 'pattern'], `is not a valid regular expression: ${(err as Error).message}`);
    }
    return {
      id: r.id,
      title: r.title ?? r.id,
      description: r.description ?? `Matches the custom rule ${r.id}.`,
      fix: r.fix ?? 'Move the secret to the environment or a secret manager and rotate it.',
      severity: r.severity ?? 'error',
      keywords: r.keywords,
      secret: r.pattern,
      contexts: [{}],
      tags: ['custom'],
      examples: r.examples,
      negativeExamples: r.negativeExamples,
    };
  });
  const rem = o.remediation ?? {};
  const remediation: RemediationConfig = { ...rem, consumers: rem.consumers?.map((c) => (typeof c === 'string' ? { name: c } : { name: c.name, update: c.update })) };
  if (!rem.consumers) delete remediation.consumers;
  return {
    file,
    ignorePaths: o.ignorePaths ?? [],
    disabledRules: o.disabledRules ?? [],
    severity: o.severity ?? {},
    rules,
    ...(maxFileSize !== undefined ? { maxFileSize } : {}),
    ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
    remediation,
  };
}

/** A settings file as the schema admits it. */
interface ConfigFile {
  ignorePaths?: string[];
  disabledRules?: string[];
  severity?: Record<string, Severity>;
  maxFileSize?: string | number;
  failOn?: FailOn;
  rules?: Array<{ id: string; pattern: string; title?: string; description?: string; fix?: string; keywords?: string[]; severity?: Severity; examples: string[]; negativeExamples: string[] }>;
  remediation?: Omit<RemediationConfig, 'consumers'> & { consumers?: Array<string | { name: string; update?: string }> };
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
  /** The paths a working-tree scan was given: a repository among them is not the folder's to configure. */
  paths?: string[];
  /** The repository around `cwd` when the caller has resolved it already (null: there is none), so git is not asked twice. */
  repo?: Repo | null;
}

/**
 * The first named path that lies inside a git repository, when the working directory is outside
 * any: the working directory's config must not apply to a repository below it, any more than a
 * parent folder's config applies inside one.
 */
async function pathInRepository(cwd: string, paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let dir: string;
    try {
      dir = lstatSync(abs).isDirectory() ? abs : dirname(abs);
    } catch {
      continue;
    }
    if (await findRepo(dir)) return p;
  }
  return undefined;
}

export async function loadConfig(opts: LoadOptions): Promise<Config> {
  if (opts.noConfig) return EMPTY_CONFIG;
  const origin = opts.origin ?? { from: 'worktree' };
  if (origin.from === 'commit') return fromCommit(opts, origin);
  let file: string | undefined;
  let base: string;
  if (opts.file) {
    file = resolve(opts.cwd, opts.file);
    const repo = opts.repo !== undefined ? opts.repo : await findRepo(opts.cwd);
    base = repo && !repo.bare ? repo.root : opts.cwd;
  } else {
    if (origin.from === 'explicit') return EMPTY_CONFIG;
    const repo = opts.repo !== undefined ? opts.repo : await findRepo(opts.cwd);
    base = repo ? repo.root : opts.cwd;
    file = findConfig(opts.cwd, repo ? repo.root : null);
    if (!file) return EMPTY_CONFIG;
    const inRepo = !repo && opts.paths?.length ? await pathInRepository(opts.cwd, opts.paths) : undefined;
    if (inRepo !== undefined) {
      return { ...EMPTY_CONFIG, notes: [`${basename(file)} in the working directory was not applied: ${JSON.stringify(inRepo)} is inside a git repository, and a folder's config never configures a repository below it (run the scan from inside the repository to use its own)`] };
    }
  }
  const text = readSettingsFile(file, 'config file');
  if (text === null) throw new ConfigError(`config file ${file} does not exist`);
  const cfg = await checked(await parseText(text, file), file);
  cfg.repoPath = relativeTo(base, file);
  return cfg;
}

/** A range's config: --config (from the base when it is a tracked file), else the base's root config. */
async function fromCommit(opts: LoadOptions, o: Extract<ConfigOrigin, { from: 'commit' }>): Promise<Config> {
  const { atCommit, readEntry, trackedInRange, treeEntries } = await import('./from-commit.js');
  let paths = CONFIG_NAMES;
  if (opts.file) {
    const rel = await trackedInRange({ root: o.root, base: o.commit, head: o.head }, opts.cwd, opts.file, 'config file');
    if (rel === undefined) {
      // The CI job's own file, outside what the change can touch: trusted as given.
      const abs = resolve(opts.cwd, opts.file);
      const text = readSettingsFile(abs, 'config file');
      if (text === null) throw new ConfigError(`config file ${abs} does not exist`);
      return checked(await parseText(text, abs), abs);
    }
    paths = [rel];
  }
  const [atBase, atHead] = await Promise.all([treeEntries(o.root, o.commit, paths), treeEntries(o.root, o.head, paths)]);
  const atBaseNames = paths.filter((p) => atBase.has(p));
  if (atBaseNames.length > 1) twoConfigs(atBaseNames, `the base commit ${o.commit.slice(0, 12)}`);
  const name = atBaseNames[0];
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
  cfg.repoPath = name;
  return cfg;
}

async function checked(parsed: Parsed, file: string): Promise<Config> {
  const cfg = await validateConfig(parsed.raw, file, parsed.lineOf);
  // A rule id that names no rule does nothing, silently: a misspelt severity override left the
  // rule at its own severity (a warning meant to fail the build passed it).
  const named: Array<{ id: string; path: KeyPath }> = [...cfg.disabledRules.map((id, i) => ({ id, path: ['disabledRules', i] })), ...Object.keys(cfg.severity).map((id) => ({ id, path: ['severity', id] }))];
  if (!cfg.rules.length && !named.length) return cfg;
  const [{ lintRules }, { builtinRules }] = await Promise.all([import('../rules/lint.js'), import('../rules/builtin.js')]);
  const builtin = builtinRules();
  const clash = cfg.rules.find((r) => builtin.some((b) => b.id === r.id));
  if (clash) throw new ConfigError(`${file}: rules: id ${clash.id} is a built-in rule; choose another id`);
  const known = [...builtin.map((r) => r.id), ...cfg.rules.map((r) => r.id)];
  const unknown = named.find((n) => !known.includes(n.id));
  if (unknown) {
    const line = parsed.lineOf?.(unknown.path);
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: \`${await keyNameOf(unknown.path)}\` names no rule (${unknown.id})`, `The rules are ${known.join(', ')} (\`secret-guard rules\` lists them).`);
  }
  const problems = lintRules(cfg.rules, (id) => `${file}: rules: ${id}`);
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return cfg;
}
