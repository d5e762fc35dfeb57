/**
 * A fast path for plain command lines. yargs costs about as much to import as Node does to
 * start, and `scan --staged` runs on every commit, so plain invocations of the commands below
 * are parsed here, from the same option table yargs is built from. Anything this
 * parser is not certain to read exactly as yargs would (help, unknown or repeated flags, `--`,
 * a missing value, short-flag groups, an option feature it does not model) returns undefined,
 * and yargs parses it instead: errors and their messages always come from yargs.
 */
import type { Options } from 'yargs';
import type { Args } from './context.js';
import { COMMANDS, type CommandSpec } from './table.js';

/**
 * Commands read here: the hooks' (`scan`), and those a script or CI job runs (`install` on every
 * server set-up, `remediate`, `rules`), each 0.1 s of yargs import sooner. `ignore`'s one
 * positional is not modelled: yargs reads it.
 */
const FAST = new Set(['scan', 'install', 'remediate', 'rules']);

/** Option keys whose yargs behaviour this parser reproduces. */
const MODELLED = new Set(['type', 'choices', 'default', 'alias', 'describe']);

interface Flag {
  name: string;
  opt: Options;
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function modelled(opt: Options): boolean {
  if (!Object.keys(opt).every((k) => MODELLED.has(k))) return false;
  if (opt.alias !== undefined && (typeof opt.alias !== 'string' || opt.alias.length !== 1)) return false;
  if (opt.choices !== undefined) {
    if (!Array.isArray(opt.choices) || !opt.choices.every((c) => typeof c === 'string')) return false;
    if (opt.type !== undefined && opt.type !== 'string') return false;
    return opt.default === undefined || typeof opt.default === 'string';
  }
  if (opt.type === 'boolean') return opt.default === undefined;
  return opt.type === 'string' && (opt.default === undefined || typeof opt.default === 'string');
}

/** The variadic positional (`scan [paths..]`), null when there is none, undefined when unsupported. */
function variadic(spec: CommandSpec): string | null | undefined {
  const names = Object.keys(spec.positional ?? {});
  if (names.length === 0) return spec.usage === spec.name ? null : undefined;
  if (names.length > 1) return undefined;
  const name = names[0]!;
  const p = spec.positional![name]!;
  const plain = Object.keys(p).every((k) => k === 'type' || k === 'array' || k === 'describe');
  return plain && p.type === 'string' && p.array === true && spec.usage === `${spec.name} [${name}..]` ? name : undefined;
}

function set(args: Args, flag: Flag, value: unknown): void {
  args[flag.name] = value;
  if (flag.name.includes('-')) args[camel(flag.name)] = value;
  if (typeof flag.opt.alias === 'string') args[flag.opt.alias] = value;
}

export function fastParse(argv: string[]): { spec: CommandSpec; args: Args } | undefined {
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  if (!spec || !FAST.has(spec.name)) return undefined;
  const positional = variadic(spec);
  if (positional === undefined) return undefined;
  const long = new Map<string, Flag>();
  const short = new Map<string, Flag>();
  for (const [name, opt] of Object.entries(spec.options)) {
    if (!modelled(opt)) return undefined;
    long.set(name, { name, opt });
    if (typeof opt.alias === 'string') short.set(opt.alias, { name, opt });
  }
  const args: Args = { _: [spec.name] };
  const seen = new Set<string>();
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const tok = argv[i]!;
    if (!tok.startsWith('-') || tok === '-') {
      rest.push(tok);
      continue;
    }
    let flag: Flag | undefined;
    let inline: string | undefined;
    let negated = false;
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
      inline = eq === -1 ? undefined : tok.slice(eq + 1);
      if (name.startsWith('no-')) {
        // yargs reads `--no-X` as X=false before it looks for an option named `no-X` (so
        // `--no-config` sets config=false); a negated option that takes a choice is a yargs error.
        const target = long.get(name.slice(3));
        if (!target || inline !== undefined || target.opt.choices) return undefined;
        flag = target;
        negated = true;
      } else {
        flag = long.get(name);
      }
    } else if (tok.length === 2) {
      flag = short.get(tok[1]!);
    }
    if (!flag || seen.has(flag.name)) return undefined;
    seen.add(flag.name);
    if (negated || flag.opt.type === 'boolean') {
      const next = argv[i + 1];
      if (inline !== undefined || next === 'true' || next === 'false') return undefined;
      set(args, flag, !negated);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (flag.opt.choices && !(flag.opt.choices as string[]).includes(value)) return undefined;
    set(args, flag, value);
  }
  if (rest.length && positional === null) return undefined;
  if (positional) args[positional] = rest;
  for (const [name, opt] of long) if (opt.opt.default !== undefined && !seen.has(name)) set(args, opt, opt.opt.default);
  args.$0 = 'secret-guard';
  return { spec, args };
}
