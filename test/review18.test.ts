/**
 * Review 18: ways a scan still said "nothing found" (exit 0) while a Postmark token was in what it
 * was asked to check. Each describe is one defect, shown on a real repository; each failed on the
 * commit before its fix.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function json(args: string[], cwd: string): JsonReport<HistoryFinding> & { code: number; stderr: string } {
  const r = cli([...args, '--format', 'json'], cwd);
  return { ...JSON.parse(r.stdout || '{}'), code: r.code, stderr: r.stderr };
}

describe('diff.relative in a git config: history and range scans from a subfolder read the whole repository', () => {
  // `git log` honours diff.relative (the user's ~/.gitconfig, or a downloaded repository's own
  // .git/config) when it runs in a subfolder: it lists only the changes below that folder. The
  // scan runs its git there, so a token at the root was never read, and the scan exited 0.
  it.each([['--history'], ['--range', 'main~1..main']])('scan %s run in docs/ finds a token committed at the root', (...mode) => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'docs/guide.md': '# guide\n' } });
    repo.commit({ 'config/mail.env.example': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail settings');
    repo.git('config', 'diff.relative', 'true');
    const r = json(['scan', ...mode], join(repo.dir, 'docs'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => f.file)).toEqual(['config/mail.env.example']);
  });
});
