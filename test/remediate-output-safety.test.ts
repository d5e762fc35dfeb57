/**
 * Where remediate writes the secrets: never into a folder others can read or write, never
 * through a symbolic link (on the folder's path or at a file name), and its plan removes only
 * what it wrote. Through bin/ on real repositories; each case fails on the main before it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const leakyRepo = () => makeRepo({ files: { 'config/mail.yml': `postmark:\n  server_token: ${fakeToken()}\n` } });

/** The commands of the plan's last step, as printed. */
function cleanupCommands(stdout: string): string[] {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => /Delete the remediation files/.test(l));
  expect(at).toBeGreaterThan(-1);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('     ')) break;
    out.push(l.trim());
  }
  return out;
}

describe('remediate output folder', () => {
  it.each([0o755, 0o777, 0o750])('refuses an existing --out folder of mode %o, before writing anything', async (mode) => {
    const repo = leakyRepo();
    const out = join(tempDir(), 'shared');
    mkdirSync(out);
    chmodSync(out, mode);
    const run = await cliAsync(['remediate', '--out', out], repo.dir);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toMatch(/read or written by other users/);
    expect(readdirSync(out)).toEqual([]);
    expect(statSync(out).mode & 0o777).toBe(mode);
  });

  it('refuses a symlinked .git/secret-guard/remediation (exit 2), writing nothing where it points', async () => {
    const repo = leakyRepo();
    const target = tempDir();
    chmodSync(target, 0o755);
    mkdirSync(join(repo.dir, '.git', 'secret-guard'));
    symlinkSync(target, join(repo.dir, '.git', 'secret-guard', 'remediation'));
    const run = await cliAsync(['remediate'], repo.dir);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toMatch(/symbolic link/);
    expect(readdirSync(target)).toEqual([]);
    expect(statSync(target).mode & 0o777).toBe(0o755);
  });

  it('refuses a symlink higher on the path (.git/secret-guard)', async () => {
    const repo = leakyRepo();
    const target = tempDir();
    symlinkSync(target, join(repo.dir, '.git', 'secret-guard'));
    const run = await cliAsync(['remediate'], repo.dir);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toMatch(/symbolic link/);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses, even with --force, a symlink planted at a file name it writes; the target is untouched', async () => {
    const repo = leakyRepo();
    const out = join(tempDir(), 'out');
    mkdirSync(out, { mode: 0o700 });
    const victim = join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(out, 'replacements.txt'));
    const run = await cliAsync(['remediate', '--force', '--out', out], repo.dir);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toMatch(/replacements\.txt is not a regular file/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(out)).toEqual(['replacements.txt']);
  });

  it('the plan removes only its own files from a folder the user named, and the printed commands do that', async () => {
    const repo = leakyRepo();
    const out = join(tempDir(), 'mine');
    mkdirSync(out, { mode: 0o700 });
    writeFileSync(join(out, 'notes.txt'), 'keep me\n');
    const run = await cliAsync(['remediate', '--out', out], repo.dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/rm -rf/);
    const commands = cleanupCommands(run.stdout);
    expect(commands.join('\n')).not.toMatch(/rmdir/);
    for (const c of commands) execFileSync('sh', ['-c', c]);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it('the plan removes the default folder it created, files first', async () => {
    const repo = leakyRepo();
    const run = await cliAsync(['remediate'], repo.dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/rm -rf/);
    const dir = join(repo.dir, '.git', 'secret-guard', 'remediation');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const c of cleanupCommands(run.stdout)) execFileSync('sh', ['-c', c]);
    expect(existsSync(dir)).toBe(false);
  });
});
