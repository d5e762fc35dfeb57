/**
 * What remediation says about a secret in an annotated tag message, run for real: the tag check
 * of the plan names the tag before the rewrite and prints nothing after git filter-repo's
 * --replace-message with the messages.txt remediation writes (filter-repo rewrites tag messages);
 * and ROTATION.md's delete-and-re-create commands, run as written, replace the tag here and on a
 * real bare remote with a clean message on the same commit. The history source's own finding
 * comes from sources/history-tags.ts; here it is built as that source reports it. The rewrite runs
 * once per git filter-repo version it is given (helpers/tools.ts filterRepoCopies).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../src/core/fingerprint.js';
import type { Finding } from '../src/core/types.js';
import { collectLeaks } from '../src/remediate/leaks.js';
import { messagesFile } from '../src/remediate/messages.js';
import { recreateTagCommands, tagCheckCommand } from '../src/remediate/tags.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { filterRepoCopies } from './helpers/tools.js';

const FILTER_REPOS = filterRepoCopies('a tag message through the real git filter-repo');

afterAll(cleanupAll);

const sh = (command: string, cwd: string) => execFileSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, GIT_COMMITTER_NAME: 'R', GIT_COMMITTER_EMAIL: 'r@example.com' } });

function setUp() {
  const token = fakeToken();
  const repo = makeRepo({ files: { 'README.md': '# app\n' } });
  repo.git('tag', '-a', 'v1.0', '-m', `Release 1.0\n\nPOSTMARK_SERVER_TOKEN=${token}\n`);
  const remote = join(tempDir(), 'remote.git');
  gitIn(repo.dir, ['init', '-q', '--bare', remote]);
  repo.git('remote', 'add', 'origin', remote);
  repo.git('push', '-q', 'origin', 'main', 'refs/tags/v1.0');
  const f: Finding = {
    ruleId: 'postmark-server-token', title: 't', severity: 'error', message: 'm', fix: 'f', credential: 'postmark-server',
    path: '<tag message>', line: 3, column: 23, endLine: 3, endColumn: 59, secret: token, fingerprint: fingerprint('postmark-server-token', token, '<tag message>'), kind: 'message',
    commit: { sha: repo.git('rev-parse', 'v1.0').trim(), author: 'Test Author', email: 'author@example.com', date: '2024-01-01T00:00:00+00:00' },
    holders: { commits: 0, refs: ['refs/tags/v1.0'], inHead: false },
  };
  const leaks = collectLeaks([f]);
  const messages = join(tempDir(), 'messages.txt');
  writeFileSync(messages, messagesFile(leaks.credentials));
  return { token, repo, remote, messages };
}

describe('a secret in an annotated tag message', () => {
  for (const fr of FILTER_REPOS) {
    it(`the check names the tag; after git filter-repo --replace-message with messages.txt it prints nothing (${fr.title})`, () => {
      const { token, remote, messages } = setUp();
      const mirror = join(tempDir(), 'rewrite.git');
      gitIn(tempDir(), ['clone', '-q', '--mirror', '--no-local', remote, mirror]);
      expect(sh(tagCheckCommand(messages), mirror).trim()).toBe('refs/tags/v1.0');
      gitIn(mirror, ['filter-repo', '--replace-message', messages, '--replace-refs', 'delete-no-add', '--force'], fr.env);
      expect(sh(tagCheckCommand(messages), mirror)).toBe('');
      expect(gitIn(mirror, ['cat-file', '-p', 'v1.0'])).not.toContain(token);
    });
  }

  it("ROTATION.md's delete-and-re-create commands, run as written, replace the tag here and on the remote", () => {
    const { token, repo, remote } = setUp();
    const commit = repo.git('rev-parse', 'v1.0^{}').trim();
    const commands = recreateTagCommands('refs/tags/v1.0', 'origin');
    // The one manual step: take the secret out of the message file (a sed stands in for the editor).
    const script = commands.map((c) => (c.startsWith('git cat-file') ? `${c}\nsed -i 's/POSTMARK_SERVER_TOKEN=.*/POSTMARK_SERVER_TOKEN is in the secret manager/' tag-message.txt` : c)).join('\n');
    sh(script, repo.dir);
    for (const dir of [repo.dir, remote]) {
      const tag = gitIn(dir, ['cat-file', '-p', 'refs/tags/v1.0']);
      expect(tag).not.toContain(token);
      expect(tag).toContain('Release 1.0');
      expect(gitIn(dir, ['rev-parse', 'refs/tags/v1.0^{}']).trim()).toBe(commit);
    }
  });
});
