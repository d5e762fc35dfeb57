/**
 * A repository scanned because it is not trusted (downloaded, its `.git` folder included) must not
 * run a program of its choosing through the scan. git runs `core.fsmonitor` as a command whenever it
 * reads the index: `secret-guard scan` and `scan --staged` ran it (git ls-files, git diff --cached).
 * Every git the scan starts is told `core.fsmonitor=false` (src/sources/git.ts NO_REPO_PROGRAMS).
 * Nor does it fetch: in a partial clone, reading the base's settings for `--range` fetched the
 * left-out blob from the remote the repository's config names, over the transport it names (a
 * program, with `ext::`), behind the scan's back. Every git runs with GIT_NO_LAZY_FETCH (gitEnv).
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

describe("the scanned repository's config runs no program", () => {
  it('core.fsmonitor is never run, in any mode, and every token is still found', () => {
    const marker = join(tempDir('sg-marker-'), 'ran');
    const monitor = join(tempDir('sg-monitor-'), 'monitor.sh');
    // A monitor that also lies: it says nothing changed, which would hide an edited file.
    writeFileSync(monitor, `#!/bin/sh\ntouch '${marker}'\nprintf '\\0'\n`);
    chmodSync(monitor, 0o755);
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`, 'README.md': '# app\n' } });
    repo.commit({ 'docs/setup.md': 'Set POSTMARK_SERVER_TOKEN in your environment.\n' }, 'docs');
    repo.write({ 'staged.env.txt': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    repo.git('add', 'staged.env.txt');
    repo.write({ 'README.md': `# app\nPOSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    // Last: from here on, any git that reads the index runs the monitor.
    repo.git('config', 'core.fsmonitor', monitor);

    const runs: Array<[string[], number]> = [
      [['scan'], 1],
      [['scan', 'README.md'], 1],
      [['scan', '--staged'], 1],
      [['scan', '--history'], 1],
      [['scan', '--range', 'HEAD~1..HEAD'], 0],
    ];
    for (const [args, code] of runs) {
      const r = cli(args, repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(existsSync(marker), `${args.join(' ')} ran core.fsmonitor`).toBe(false);
    }
    // The edited README, which the lying monitor calls unchanged, is read.
    expect(cli(['scan', '--format', 'json'], repo.dir).stdout).toContain('"file": "README.md"');
    expect(existsSync(marker)).toBe(false);
    // The trap is real: git itself, reading the index, runs it.
    repo.git('ls-files');
    expect(existsSync(marker)).toBe(true);
  });
});

describe('a partial clone: the scan fetches nothing', () => {
  it('no mode fetches a left-out object, from the remote or through a transport the config names: exit 2 with the fetch to run', async () => {
    const origin = makeRepo({ files: { '.secret-guard.json': '{"failOn": "error"}\n', 'a.txt': 'a\n' } });
    origin.commit({ 'b.txt': 'b\n' }, 'two');
    origin.git('config', 'uploadpack.allowFilter', 'true');
    const dir = join(tempDir('sg-partial-'), 'clone');
    gitIn(tempDir('sg-cwd-'), ['clone', '-q', '--filter=blob:none', '--no-checkout', `file://${origin.dir}`, dir]);
    const missing = () => gitIn(dir, ['rev-list', '--objects', '--missing=print', '--all']).split('\n').filter((l) => l.startsWith('?')).length;
    const before = missing();
    expect(before).toBeGreaterThan(0);
    // A remote whose transport is a program: a fetch would run it. Its name, a token pasted by
    // mistake, is in the advice (the fetch to run), which is redacted as messages are.
    const remote = fakeToken();
    gitIn(dir, ['remote', 'rename', 'origin', remote]);
    const marker = join(tempDir('sg-marker-'), 'ran');
    gitIn(dir, ['config', 'protocol.ext.allow', 'always']);
    gitIn(dir, ['config', `remote.${remote}.url`, `ext::sh -c touch% ${marker}`]);
    for (const args of [['scan', '--range', 'HEAD~1..HEAD'], ['scan', '--history']]) {
      const r = cli(args, dir);
      expect(existsSync(marker), `${args.join(' ')} ran the remote's transport`).toBe(false);
      expect(missing(), args.join(' ')).toBe(before);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('partial clone');
      expect(r.stderr).toContain('git fetch --refetch --no-filter');
      expect(r.stderr).not.toContain(remote);
    }
    // The library's rejection: message and hint redacted alike.
    const { scan } = (await import('../dist/index.js')) as typeof import('../src/index.js');
    const err = (await scan({ cwd: dir, mode: 'history' }).then(() => null, (e: unknown) => e)) as { message: string; hint?: string } | null;
    expect(err?.hint).toContain('git fetch --refetch --no-filter');
    expect(err?.hint).toContain(`${remote.slice(0, 4)}…`);
    expect(`${err?.message}\n${err?.hint}`).not.toContain(remote);
    expect(existsSync(marker)).toBe(false);
  });
});
