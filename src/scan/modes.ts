/**
 * What `scan` can be asked to read, in one place: the modes (the working tree unless one of the
 * others is named), the push gates, and the git hooks `install` writes to run them. The command
 * table picks the module from these, `scan` and the gates read which one was chosen from them,
 * and a second flag of either list is the same usage error everywhere. No imports beyond types:
 * the command table loads this on every start, the pre-commit hook's included.
 */
import type { Args } from '../cli/context.js';
import { UsageError } from '../errors.js';

/** Modes of `scan` named by a flag; without one, the working tree. */
export const MODES = ['staged', 'history', 'range'] as const;
export type ScanModeName = 'worktree' | (typeof MODES)[number];

/** The push gates (src/commands/push-gate.ts), each named by its flag. */
export const GATES = ['pre-receive', 'pre-push', 'commit-msg'] as const;
export type Gate = (typeof GATES)[number];
/** Flags only a push gate takes: given alone, they still make `scan` a gate (which then asks for one). */
const GATE_ONLY = ['timeout', 'on-timeout'] as const;

/** The hooks `install --hook` writes: the pre-commit hook runs --staged, the others their gate. */
export const HOOKS = ['pre-commit', ...GATES] as const;
export type HookName = (typeof HOOKS)[number];

const given = (args: Args, flag: string) => args[flag] !== undefined && args[flag] !== false;

/** The mode or gate the flags name, at most one of them (else a usage error); undefined: the working tree. */
export function chosen(args: Args): (typeof MODES)[number] | Gate | undefined {
  const named = [...MODES, ...GATES].filter((f) => given(args, f));
  if (named.length > 1) throw new UsageError(`choose one of ${[...MODES, ...GATES].map((m) => `--${m}`).join(', ')} (got ${named.map((m) => `--${m}`).join(' and ')})`);
  return named[0];
}

/** Whether these flags make `scan` a push gate (and so which module runs it). */
export const isPushGate = (args: Args): boolean => [...GATES, ...GATE_ONLY].some((f) => given(args, f));

export const isGate = (m: string | undefined): m is Gate => (GATES as readonly string[]).includes(m ?? '');
