/**
 * Shapes shared by the detection core, the sources and the reporters.
 * The core never does I/O: it takes fragments of text and returns findings.
 */

/** The one list of severities, most severe first: the rules linter, `--fail-on` and the library check against it. */
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** `--fail-on`: the lowest severity that fails a scan, or none. */
export const FAIL_ON = [...SEVERITIES, 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The path of a finding in a commit's message (history, ranges, the push gates, the commit-msg hook). */
export const MESSAGE_PATH = '<commit message>';

/**
 * The path of a finding in an annotated tag's message (sources/history-tags.ts, the push gates):
 * its commit is the tag object and its holders.refs the tags whose message holds it.
 */
export const TAG_MESSAGE_PATH = '<tag message>';

/** Which credential a finding leaks; remediation picks its rotation steps from this. */
export type CredentialKind = 'postmark-server' | 'postmark-account' | 'postmark-smtp';

/** One condition set: every field given must hold. A rule fires when any of its contexts holds. */
export interface ContextSpec {
  /** The key the value is assigned to on its own line (`KEY=`, `"key":`, `key =>`, `ENV KEY`, `<Key>`, `--flag`). */
  key?: string;
  /**
   * The structure around the value: its key path and line, the enclosing block's header and scalar
   * members, the headers of the blocks above and the parent block's scalar members, the
   * indentation block's siblings, parents and the parent's siblings, the INI/TOML section.
   */
  scope?: string;
  /** The call whose argument list holds the value (the text just before its `(`). */
  call?: string;
  /** With `call`: the value must be the first argument (same as `arg: 1`). */
  firstArg?: boolean;
  /** With `call`: the value must be this argument, counting from 1. */
  arg?: number;
  /** Text immediately before the match on the same line (anchor with `$`). */
  before?: string;
  /** Text immediately after the match on the same line (anchor with `^`). */
  after?: string;
  /** Anywhere in the same fragment (an import, a provider name). */
  file?: string;
  /** The fragment's path. */
  path?: string;
}

export interface PathSpec {
  /** picomatch glob, matched against the repository-relative path with `dot: true`. */
  glob: string;
  severity?: Severity;
}

export interface ExampleSpec {
  text: string;
  path?: string;
  /** For positive examples: the severity the finding must have (defaults to the rule's). */
  severity?: Severity;
}

/** A rule as written in `rules/*.yml` (and in a config file's `rules:`). */
export interface RuleSpec {
  id: string;
  title: string;
  description: string;
  fix: string;
  /** The fix at commit time (`scan --staged`), when nothing has left the machine: no rotation. */
  fixStaged?: string;
  /** The fix for a value the rule judges a stand-in (see `real`): nothing to rotate. */
  fixPlaceholder?: string;
  severity: Severity;
  credential?: CredentialKind;
  /** When two rules claim the same secret, the higher priority wins (most specific rule). */
  priority?: number;
  tags?: string[];
  /** Cheap prefilter: the fragment must contain one of these (case-insensitive) before any regex runs. */
  keywords?: string[];
  /** A named shape (see shapes.ts) or a regex; a named group `secret` marks the secret inside the match. */
  secret?: string;
  /**
   * When set, a secret that does not look like a real token of this shape is reported with
   * `placeholderSeverity` instead (or dropped when that is unset).
   */
  real?: string;
  placeholderSeverity?: Severity;
  contexts?: ContextSpec[];
  /** Path rules: the file's presence in git is the finding. */
  paths?: PathSpec[];
  /** Paths the rule never matches: templates for path rules, generated files (lockfiles) for content rules. */
  exceptPaths?: string[];
  examples: Array<string | ExampleSpec>;
  negativeExamples: Array<string | ExampleSpec>;
}

/** A fragment of text from a source, with where it came from. */
export interface Fragment {
  text: string;
  /** Repository-relative path with `/` separators; for a commit message, `<commit message>`. */
  path: string;
  /** Only findings whose line passes this are kept (staged: the added lines). */
  lineFilter?: (line: number) => boolean;
  /** How git sees the path, for path rules. */
  gitState?: 'tracked' | 'staged' | 'untracked' | 'committed';
}

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
}

/** What still holds a leak found in history. */
export interface Holders {
  commits: number;
  refs: string[];
  inHead: boolean;
}

export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  message: string;
  fix: string;
  credential?: CredentialKind;
  /** Set by the engine: the value is a stand-in (`your-token-here`, a patterned UUID), not a token. */
  placeholder?: boolean;
  path: string;
  line: number;
  /** 1-based, in UTF-16 code units (SARIF's default). */
  column: number;
  endLine: number;
  /** Exclusive, like SARIF's. */
  endColumn: number;
  /** The raw secret. Reporters print it only through `redact` unless --show-secrets. */
  secret: string;
  fingerprint: string;
  kind: 'content' | 'path' | 'message';
  commit?: CommitInfo;
  holders?: Holders;
  /** Set by the suppression passes. */
  suppressedBy?: 'inline' | 'ignore-file' | 'baseline';
  /**
   * --range: the suppression that would hide this finding was added by the change being scanned.
   * Reports list it, marked; it counts (suppressedBy unset) unless approved (suppressedBy set too).
   */
  suppressedByChange?: 'inline' | 'ignore-file' | 'baseline';
}
