/**
 * This checkout's node_modules in a copy of the project (a snapshot to pack, a tree to build), as
 * a folder of its own rather than a link: tsc records the files it read (TypeScript's own lib files
 * among them) by real path, so behind a link every one looks new and an incremental build starts
 * over. Hard links where the file system allows (instant, nothing written twice), else a copy.
 * Nothing may write into it: a hard-linked file is the checkout's own.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function copyModules(to: string): void {
  const from = join(ROOT, 'node_modules');
  const dest = join(to, 'node_modules');
  if (spawnSync('cp', ['-al', from, dest]).status === 0) return;
  spawnSync('rm', ['-rf', dest]);
  const r = spawnSync('cp', ['-a', from, dest], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${dest}: ${r.stderr}`);
}
