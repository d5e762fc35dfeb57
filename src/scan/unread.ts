/**
 * Files a scan could not read: those over --max-file-size. Exit 0 says everything was read, so
 * they fail every scan and gate (exit 2) unless whoever runs the check accepts them
 * (`--on-unread accept`); otherwise padding a file past the limit would open the check. Binary
 * files are not here: their bytes were searched for every rule keyword, and read as text where
 * one was (sources/binary-text.ts), so an image or a font never stops anything.
 */
import type { Args } from '../cli/context.js';
import type { ScanResult } from './result.js';

export type OnUnread = 'refuse' | 'accept';

const UNREAD = ['tooLarge'] as const;

/** Whether a skip of this kind left a file unread. */
export const isUnread = (kind: string): boolean => (UNREAD as readonly string[]).includes(kind);

export const onUnreadOf = (args: Args): OnUnread => ((args['on-unread'] as OnUnread | undefined) ?? 'refuse');

export const unreadCount = (r: ScanResult): number => UNREAD.reduce((n, k) => n + r.stats.skipped[k], 0);

/** The unread files the stats name (skippedPaths keeps the first 10,000 skips). */
export const unreadPaths = (r: ScanResult): string[] => r.stats.skippedPaths.filter((s) => isUnread(s.kind)).map((s) => s.path);

/** One line per unread file (`secret-guard: not scanned: PATH: why`), at most `cap`, then how many more. */
export function unreadLines(r: ScanResult, shown: (path: string) => string, cap = 50): string[] {
  const paths = r.stats.skippedPaths.filter((s) => isUnread(s.kind));
  const lines = paths.slice(0, cap).map((s) => `secret-guard: not scanned: ${shown(s.path)}: ${s.reason}`);
  const more = unreadCount(r) - lines.length;
  if (more > 0) lines.push(`secret-guard: not scanned: ${more} more`);
  return lines;
}
