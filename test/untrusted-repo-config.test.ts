/**
 * A repository scanned because it is not trusted (downloaded, its `.git` folder included) must not
 * run a program of its choosing through the scan. git runs `core.fsmonitor` as a command whenever it
 * reads the index: `secret-guard scan` and `scan --staged` ran it (git ls-files, git diff --cached).
 * Every git the scan starts is told `core.fsmonitor=false` (src/sources/git.ts NO_REPO_PROGRAMS).
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

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
