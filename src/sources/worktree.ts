/**
 * The files git would commit: tracked plus untracked-and-not-ignored, as they are on disk.
 * Outside a repository, every file under the given paths. Links are never followed (git stores
 * a link's target as text; the target, if it is in the repository, is scanned on its own).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { detect, detectPath, type CompiledRule } from '../core/engine.js';
import type { Finding, Fragment } from '../core/types.js';
import { IncompleteScanError } from '../cli/errors.js';
import { emptyStats, skip, type ScanResult } from '../scan/result.js';
import { decode, isLfsPointer } from './decode.js';
import { findRepo, git, splitNul } from './git.js';

export interface WorktreeOptions {
  cwd: string;
  paths: string[];
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  onFile?: (path: string) => void;
}

interface Entry {
  path: string;
  abs: string;
  gitState?: Fragment['gitState'];
}

async function gitEntries(root: string, cwd: string, paths: string[]): Promise<Entry[]> {
  const out = await git(['ls-files', '-z', '-t', '--cached', '--others', '--exclude-standard', '--full-name', '--', ...paths], cwd);
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const rec of splitNul(out)) {
    const tag = rec[0];
    const path = rec.slice(2);
    if (seen.has(path)) continue; // an unmerged path is listed once per stage
    seen.add(path);
    entries.push({ path, abs: join(root, path), gitState: tag === '?' ? 'untracked' : 'tracked' });
  }
  return entries;
}

async function globEntries(cwd: string, paths: string[]): Promise<{ root: string; entries: Entry[] }> {
  const { default: fg } = await import('fast-glob');
  const targets = paths.length ? paths : ['.'];
  const entries: Entry[] = [];
  for (const t of targets) {
    const abs = resolve(cwd, t);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      throw new IncompleteScanError(`path ${t} does not exist`);
    }
    if (st.isFile() || st.isSymbolicLink()) {
      entries.push({ path: relative(cwd, abs).split(sep).join('/'), abs });
      continue;
    }
    const files = await fg('**/*', { cwd: abs, dot: true, onlyFiles: false, followSymbolicLinks: false, ignore: ['**/.git/**'], markDirectories: true });
    for (const f of files) {
      if (f.endsWith('/')) continue;
      const fileAbs = join(abs, f);
      entries.push({ path: relative(cwd, fileAbs).split(sep).join('/'), abs: fileAbs });
    }
  }
  return { root: cwd, entries };
}

export async function scanWorktree(opts: WorktreeOptions): Promise<ScanResult> {
  const started = Date.now();
  const repo = await findRepo(opts.cwd);
  let root: string;
  let entries: Entry[];
  if (repo && !repo.bare) {
    root = repo.root;
    entries = await gitEntries(root, opts.cwd, opts.paths.map((p) => (isAbsolute(p) ? relative(opts.cwd, p) || '.' : p)));
  } else {
    ({ root, entries } = await globEntries(opts.cwd, opts.paths));
  }
  const stats = emptyStats();
  const findings: Finding[] = [];
  const unreadable: string[] = [];
  for (const e of entries) {
    if (opts.isIgnoredPath(e.path)) {
      skip(stats, 'ignoredByConfig', e.path, 'ignorePaths in config');
      continue;
    }
    findings.push(...detectPath(e.path, e.gitState, opts.rules));
    let st;
    try {
      st = lstatSync(e.abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') skip(stats, 'missing', e.path, 'deleted from the working tree');
      else unreadable.push(`${e.path} (${(err as NodeJS.ErrnoException).code})`);
      continue;
    }
    if (st.isSymbolicLink()) {
      skip(stats, 'symlink', e.path, 'symbolic link (not followed)');
      continue;
    }
    if (st.isDirectory()) {
      skip(stats, 'submodule', e.path, 'submodule (scan it on its own)');
      continue;
    }
    if (!st.isFile()) continue;
    if (st.size > opts.maxFileSize) {
      skip(stats, 'tooLarge', e.path, `${st.size} bytes, over --max-file-size`);
      continue;
    }
    let buf: Buffer;
    try {
      buf = readFileSync(e.abs);
    } catch (err) {
      unreadable.push(`${e.path} (${(err as NodeJS.ErrnoException).code})`);
      continue;
    }
    const d = decode(buf);
    if ('binary' in d) {
      skip(stats, 'binary', e.path, 'binary');
      continue;
    }
    if (isLfsPointer(d.text)) {
      skip(stats, 'lfsPointer', e.path, 'Git LFS pointer (content lives outside the repository)');
      continue;
    }
    opts.onFile?.(e.path);
    stats.filesScanned++;
    stats.bytesScanned += buf.length;
    findings.push(...detect({ text: d.text, path: e.path }, opts.rules));
  }
  if (unreadable.length) {
    throw new IncompleteScanError(
      `could not read ${unreadable.length} file(s): ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}`,
      'Fix the permissions (or exclude the paths with ignorePaths in .secret-guard.json) and run the scan again.',
    );
  }
  const notes: string[] = [];
  if (entries.length === 0 && opts.paths.length) {
    throw new IncompleteScanError(`nothing to scan: no file matches ${opts.paths.join(' ')}`, 'Check the paths, or run `secret-guard scan` with none to scan the whole repository.');
  }
  if (entries.length === 0) notes.push('no files to scan');
  stats.durationMs = Date.now() - started;
  return { mode: repo && !repo.bare ? 'worktree' : 'files', root, findings, stats, notes };
}
