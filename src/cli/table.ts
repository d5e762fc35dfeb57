/**
 * The command table: names, flags and help text as data; each implementation in
 * src/commands/<name>.ts, imported only when that command runs (the pre-commit hook pays only
 * for `scan`).
 */
import type { Options, PositionalOptions } from 'yargs';
import type { Args, CommandModule } from './context.js';
import { FAIL_ON } from '../core/types.js';
import { FILE_FORMATS, FORMATS, outputFlag } from '../scan/reporters.js';
import { HOOKS, isPushGate } from '../scan/modes.js';

export interface CommandSpec {
  name: string;
  usage: string;
  describe: string;
  positional?: Record<string, PositionalOptions>;
  options: Record<string, Options>;
  examples?: Array<[string, string]>;
  /** The implementation for these arguments (one command line may run one of two modules). */
  load: (args: Args) => Promise<CommandModule>;
}

const FORMAT: Options = { choices: FORMATS, default: 'text', describe: 'Report format' };

const CONFIG: Record<string, Options> = {
  config: { type: 'string', describe: 'Config file (default: .secret-guard.json or .yml found walking up)' },
  'no-config': { type: 'boolean', describe: 'Ignore any config file' },
};

export const COMMANDS: CommandSpec[] = [
  {
    name: 'scan',
    usage: 'scan [paths..]',
    describe: 'Scan the working tree, the staged change, a commit range or the whole history',
    positional: { paths: { type: 'string', array: true, describe: 'Files or folders (working-tree scan only)' } },
    options: {
      staged: { type: 'boolean', describe: 'Scan what is about to be committed (the pre-commit hook)' },
      history: { type: 'boolean', describe: 'Scan every commit reachable from any ref, the stash included' },
      range: { type: 'string', describe: 'Scan the commits in BASE..HEAD (a pull request)' },
      'pre-receive': { type: 'boolean', describe: "Server hook: scan the commits of the ref updates on stdin that no branch or tag holds yet (settings: --config or $GIT_DIR/secret-guard.json)" },
      'pre-push': { type: 'boolean', describe: 'Client hook: with REMOTE URL as arguments, scan the commits the remote does not have' },
      'commit-msg': { type: 'string', describe: 'commit-msg hook: scan the commit message in this file' },
      timeout: { type: 'string', describe: 'Push gates: time budget, e.g. 4s (what happens then: --on-timeout)' },
      'on-timeout': { choices: ['refuse', 'accept'], describe: 'Push gates: when --timeout runs out, refuse (default) or accept unchecked' },
      'on-unread': { choices: ['refuse', 'accept'], describe: 'A file over --max-file-size with a rule keyword in it is not read: refuse (default: exit 2; a gate refuses the push) or accept it unchecked' },
      'allow-shallow': { type: 'boolean', describe: 'Scan a shallow clone anyway (what was not fetched is not scanned)' },
      format: FORMAT,
      output: { alias: 'o', type: 'string', describe: 'Write the report to a file instead of stdout' },
      ...Object.fromEntries(FILE_FORMATS.map((f) => [outputFlag(f), { type: 'string', describe: `Also write the ${f} report to this file, from the same scan` } satisfies Options])),
      'fail-on': { choices: FAIL_ON, describe: 'Lowest severity that fails the scan (default: error)' },
      'max-file-size': { type: 'string', describe: 'Only search larger files for keywords, e.g. 5MB (default 5MB); one that holds one is not read: exit 2 (see --on-unread)' },
      threads: { type: 'string', describe: 'Threads that scan history and large working trees (default: one per core, at most 2; 1: one thread)' },
      'show-secrets': { type: 'boolean', describe: 'Print secrets in full (never do this in CI logs)' },
      baseline: { type: 'string', describe: 'Report only findings not in this baseline file' },
      'approve-suppressions': { type: 'boolean', describe: "--range: honour the suppressions the change adds (pass it only once a reviewer approved them)" },
      'write-baseline': { type: 'string', describe: "Record today's findings in this file and exit 0" },
      quiet: { alias: 'q', type: 'boolean', describe: 'Findings only: no fix lines, no summary when clean' },
      verbose: { alias: 'v', type: 'boolean', describe: 'Also list what was skipped and why' },
      color: { type: 'boolean', describe: 'Colour the text report (default: on a TTY, unless NO_COLOR)' },
      ...CONFIG,
    },
    examples: [
      ['secret-guard scan', 'scan the files git would commit'],
      ['secret-guard scan --staged', 'the pre-commit hook'],
      ['secret-guard scan --range $BASE..$HEAD', 'a pull-request job (--format sarif -o results.sarif for code scanning)'],
      ['secret-guard scan --history', 'every commit on every ref'],
    ],
    load: (args) => (isPushGate(args) ? import('../commands/push-gate.js') : import('../commands/scan.js')),
  },
  {
    name: 'ignore',
    usage: 'ignore <fingerprint>',
    describe: 'Silence one finding by its fingerprint (appends to .secret-guard-ignore)',
    positional: { fingerprint: { type: 'string', describe: 'The "fingerprint" of a finding in --format json' } },
    options: { reason: { type: 'string', describe: 'Why it is safe, kept as a comment' } },
    load: () => import('../commands/ignore.js'),
  },
  {
    name: 'rules',
    usage: 'rules',
    describe: 'List the rules with id, severity and description',
    options: { format: { choices: ['text', 'json'], default: 'text', describe: 'Output format' }, ...CONFIG },
    load: () => import('../commands/rules.js'),
  },
  {
    name: 'install',
    usage: 'install',
    describe: 'Write a git hook that runs the scan (pre-commit by default; where git runs hooks: core.hooksPath, husky)',
    options: {
      hook: { choices: HOOKS, default: 'pre-commit', describe: 'Which hook (pre-receive: in a bare repository on the server)' },
      chain: { type: 'boolean', describe: 'Keep an existing pre-commit hook as pre-commit.chained and run it before the scan' },
      force: { type: 'boolean', describe: "Replace an existing pre-commit hook that is not secret-guard's; also install into a core.hooksPath set in the global config" },
      uninstall: { type: 'boolean', describe: "Remove secret-guard's hook (a chained hook goes back in its place)" },
    },
    examples: [
      ['secret-guard install', 'block commits that add a Postmark credential'],
      ['secret-guard install --chain', 'keep the pre-commit hook already there, and run it first'],
      ['secret-guard install --hook pre-receive', 'in a bare repository: refuse pushes that bring a credential'],
    ],
    load: () => import('../commands/install.js'),
  },
  {
    name: 'remediate',
    usage: 'remediate',
    describe: 'After a leak: write the git filter-repo files and a rotation checklist, and print the next commands',
    options: {
      out: { type: 'string', describe: 'Folder for the files (default: .git/secret-guard/remediation; they hold the secrets)' },
      range: { type: 'string', describe: 'Only leaks introduced in BASE..HEAD' },
      force: { type: 'boolean', describe: 'Replace the files of an earlier run' },
      verify: { type: 'boolean', describe: 'Ask the Postmark API whether each token is still live (sends the tokens to it)' },
      'allow-shallow': { type: 'boolean', describe: 'Run in a shallow clone anyway (what was not fetched is not read)' },
      'max-file-size': { type: 'string', describe: 'Only search larger files for keywords, e.g. 5MB (default 5MB); one that holds one is not read: exit 2 when nothing else was found (see --on-unread)' },
      'on-unread': { choices: ['refuse', 'accept'], describe: 'A file over --max-file-size with a rule keyword in it is not read: refuse (default: exit 2 when nothing else was found) or accept it unchecked' },
      threads: { type: 'string', describe: 'Threads that scan history and large working trees (default: one per core, at most 2; 1: one thread)' },
      ...CONFIG,
    },
    examples: [
      ['secret-guard remediate', 'write the files and print the next commands'],
      ['secret-guard remediate --verify', 'also ask Postmark which leaked tokens still work'],
    ],
    load: () => import('../commands/remediate.js'),
  },
];
