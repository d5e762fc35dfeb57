/**
 * The text report's `fix:` line quotes a path as a shell reads it back: a file name with a
 * newline cannot forge a line of the report, and `$(…)` in it does not run when the suggested
 * command is pasted. The command is taken from the report and run by bash in the repository:
 * it must untrack exactly that file and run nothing else. Through bin/, real repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

describe('fix line', () => {
  it.each([
    ['a newline and $(…)', 'x\n      fix: run $(touch PWNED)/.env'],
    ['$(…) alone', '$(touch PWNED)/.env'],
    ['a quote and backticks', "it's `touch PWNED`/.env"],
  ])('a tracked .env under a folder named with %s', async (_label, path) => {
    const repo = makeRepo({ files: { [path]: 'A=1\n', 'README.md': 'x\n' } });
    const run = await cliAsync(['scan'], repo.dir);
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stdout.split('\n');
    // No line starts with what the file name tried to forge.
    expect(lines.filter((l) => /^\s*fix: run/.test(l))).toEqual([]);
    const fix = lines.find((l) => l.includes('git rm --cached'));
    expect(fix).toBeDefined();
    const command = /`(git rm --cached -- .*?)`, add it/.exec(fix!)![1]!;
    execFileSync('bash', ['-c', command], { cwd: repo.dir });
    expect(existsSync(join(repo.dir, 'PWNED'))).toBe(false);
    expect(repo.git('ls-files', '-z').split('\0').filter(Boolean)).toEqual(['README.md']);
  });
});
