/**
 * What the pre-commit hook costs in git processes, counted through git's own trace (never timed):
 * the repository is resolved once (`rev-parse`) for the config's search and the staged source,
 * one `diff --raw` (started beside it, before config is read) and then one `cat-file --batch` for
 * the blobs the diff names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const gitCommands = (trace: string) =>
  readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => l.includes('trace: built-in: git '))
    .map((l) => l.replace(/^.*trace: built-in: git (\S+).*$/, '$1'));

describe('scan --staged git processes', () => {
  it('resolves the repository once: rev-parse and diff, then cat-file', () => {
    const repo = makeRepo({ files: { 'a.js': 'console.log(1)\n', '.secret-guard.json': '{"failOn": "error"}' } });
    repo.write({ 'mail.js': 'const t = process.env.POSTMARK_SERVER_TOKEN;\n' });
    repo.git('add', '-A');
    const trace = join(tempDir(), 'trace');
    const r = cli(['scan', '--staged'], repo.dir, { GIT_TRACE: trace });
    expect(r.code, r.stderr).toBe(0);
    const commands = gitCommands(trace);
    // rev-parse and diff run side by side, so either may start first.
    expect(commands.slice(0, 2).sort()).toEqual(['diff', 'rev-parse']);
    expect(commands.slice(2)).toEqual(['cat-file']);
  });
});
