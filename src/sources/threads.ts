/**
 * How many threads a scan uses when --threads (the library's `threads`) does not say: one per
 * core, at most two. The working tree and history both read it from here, so the default the
 * README and --help state is the same in every mode.
 */
import { availableParallelism } from 'node:os';

export function defaultThreads(): number {
  return Math.min(2, availableParallelism());
}
