/**
 * The flags every scanning command shares, read in one place (scan, remediate and rules): which
 * config applies, and what it and the flags make of the file-size limit, the failing severity,
 * the ignored paths and the rules. yargs reads `--no-config` as `config: false` and a command may
 * also see `no-config: true`; reading that in three places is how `rules --no-config` once still
 * applied the config.
 */
import picomatch from 'picomatch';
import type { Args } from '../cli/context.js';
import { UsageError } from '../errors.js';
import type { Config } from '../config/load.js';
import { parseSize } from '../config/size.js';
import type { FailOn, RuleSpec } from '../core/types.js';
import { ruleSpecs } from './ruleset.js';

const DEFAULT_MAX_FILE_SIZE = 5_000_000;

/** `--config FILE` / `--no-config`, as loadConfig takes them. */
export function configChoice(args: Args): { file?: string; noConfig: boolean } {
  const noConfig = args.config === false || Boolean(args['no-config']);
  return { file: noConfig || typeof args.config !== 'string' ? undefined : args.config, noConfig };
}

export interface ScanSettings {
  maxFileSize: number;
  failOn: FailOn;
  isIgnoredPath: (path: string) => boolean;
  /** Built-in plus custom rules, less the disabled, severities overridden. */
  specs: RuleSpec[];
}

/** The flags over the config over the defaults. */
export function resolveScanOptions(args: Args, config: Config): ScanSettings {
  return {
    maxFileSize: maxFileSizeOf(args, config),
    failOn: ((args['fail-on'] as FailOn | undefined) ?? config.failOn ?? 'error') as FailOn,
    isIgnoredPath: ignoredPaths(config),
    specs: ruleSpecs(config),
  };
}

/** --max-file-size, else the config's maxFileSize, else 5 MB. */
export function maxFileSizeOf(args: Args, config: Config): number {
  if (args['max-file-size'] === undefined) return config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const n = parseSize(args['max-file-size'] as string);
  if (n === null) throw new UsageError(`--max-file-size ${String(args['max-file-size'])} is not a size (try 5MB or 2000000)`);
  return n;
}

/**
 * --threads: how many threads scan (the main thread one of them), or undefined for the default
 * (one per core, at most two). A flag only: how hard a machine works is its owner's choice, not
 * a setting a repository carries.
 */
export function threadsOf(args: Args): number | undefined {
  if (args.threads === undefined) return undefined;
  const text = String(args.threads);
  if (!/^[1-9][0-9]?$/.test(text)) throw new UsageError(`--threads ${text} is not a number of threads from 1 to 99`);
  return Number(text);
}

/**
 * The config's ignorePaths, in order, as a .gitignore reads them: a glob that starts with `!`
 * takes back what the globs before it ignored, and the last glob that matches a path decides.
 * picomatch alone reads `!x` as "every path but x", so `["fixtures/**", "!fixtures/real/**"]`
 * left every path of the repository but fixtures/real unscanned. (`!(…)` is picomatch's negated
 * group, a glob like any other.)
 */
export function ignoredPaths(config: Config): (path: string) => boolean {
  if (!config.ignorePaths.length) return () => false;
  const globs = config.ignorePaths.map((g) => {
    const back = g.startsWith('!') && !g.startsWith('!(');
    return { back, test: picomatch(back ? g.slice(1) : g, { dot: true }) };
  });
  if (!globs.some((g) => g.back)) return picomatch(config.ignorePaths, { dot: true });
  return (path) => {
    let ignored = false;
    for (const g of globs) if (g.back === ignored && g.test(path)) ignored = !g.back;
    return ignored;
  };
}
