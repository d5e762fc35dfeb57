/**
 * Writing the remediation files, the one place secret-guard puts secrets on disk: a folder of
 * mode 0700, files of mode 0600 created afresh (never written through an existing file or link,
 * whose mode or target could be anything), and nothing replaced without --force.
 */
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Every file remediate may write, so an earlier run's leftovers are recognised and replaced as a set. */
export const OUTPUT_NAMES = ['ROTATION.md', 'replacements.txt', 'replacements-bfg.txt', 'messages.txt', 'paths.txt'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export function existingOutputs(dir: string): OutputName[] {
  return OUTPUT_NAMES.filter((n) => {
    try {
      lstatSync(join(dir, n));
      return true;
    } catch {
      return false;
    }
  });
}

/** Creates the folder (and missing parents) with mode 0700; `own` folders are also narrowed when they exist. */
export function prepareDir(dir: string, own: boolean): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existed || own) chmodSync(dir, 0o700);
}

export function writeSecretFile(path: string, content: string): void {
  rmSync(path, { force: true });
  // 'wx': fails rather than follow anything that appeared at this path since.
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}

/** With --force: an earlier run's file this run does not write would be stale (a paths.txt for files no longer found). */
export function removeStale(dir: string, written: ReadonlySet<string>): void {
  for (const n of existingOutputs(dir)) if (!written.has(n)) rmSync(join(dir, n), { force: true });
}
