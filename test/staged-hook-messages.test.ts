/**
 * The hook talks to a person: a blocked commit says so first, then the findings (each path once,
 * each with its fingerprint), then how to proceed. Fix texts fit the moment: at commit time
 * nothing has left the machine, so no "rotate"; a force-added .env that .gitignore already
 * ignores is not told to add itself to .gitignore; a placeholder is never told to rotate; in
 * history the token was committed, and rotation is the fix.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const client = (t: string) => `const postmark = require("postmark");\nconst client = new postmark.ServerClient("${t}");\n`;
const who = { GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.com' };

describe('the pre-commit hook talks to a person', () => {
  it('a real commit: verdict first, the path once, fingerprints, then how to proceed; ignore by that fingerprint lets it through', () => {
    const t1 = fakeToken();
    const t2 = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" scan --staged\n`);
    chmodSync(hook, 0o755);
    repo.write({ 'src/mail.js': `${client(t1)}const other = new postmark.ServerClient("${t2}");\n` });
    repo.git('add', '-A');
    const commit = () => spawnSync('git', ['commit', '-q', '-m', 'mail'], { cwd: repo.dir, env: { ...process.env, ...who, GIT_CONFIG_NOSYSTEM: '1', HOME: repo.dir, NO_COLOR: '1' }, encoding: 'utf8' });
    const r = commit();
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out.split('\n')[0]).toBe('secret-guard: commit blocked — 2 credentials in the staged change');
    // The path is a heading, printed once; findings under it by line:column.
    expect(out.split('src/mail.js').length - 1).toBe(1);
    expect(out).toMatch(/^src\/mail\.js\n {2}2:43 {2}error/m);
    expect(out).toMatch(/^ {2}3:42 {2}error/m);
    const fps = [...out.matchAll(/fingerprint: ([0-9a-f]{32})$/gm)].map((m) => m[1]!);
    expect(fps).toHaveLength(2);
    // How to proceed comes after the findings.
    const proceed = out.indexOf('To commit: fix each finding');
    expect(proceed).toBeGreaterThan(out.indexOf('fingerprint:'));
    expect(out.slice(proceed)).toMatch(/secret-guard:allow.*secret-guard ignore <fingerprint>/s);
    expect(out).not.toMatch(/rotate (the|a|what)|Rotate/);
    expect(out).toContain('Nothing has left this machine yet');
    expect(out).not.toContain(t1);
    // Both false positives, marked with the fingerprints printed: no second run needed.
    for (const fp of fps) expect(cli(['ignore', fp], repo.dir).code).toBe(0);
    repo.git('add', '.secret-guard-ignore');
    const again = commit();
    expect(again.status).toBe(0);
    expect(again.stdout + again.stderr).toBe('');
  });

  it('a force-added .env that .gitignore already ignores is told to unstage, not to add it to .gitignore', () => {
    const repo = makeRepo({ files: { '.gitignore': '.env\nprod.env\n' } });
    repo.write({ '.env': 'DEBUG=1\n' });
    repo.git('add', '-f', '.env');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('secret-guard: commit blocked — 1 secrets file in the staged change');
    const fix = r.stdout.split('\n').find((l) => l.includes('fix:'))!;
    expect(fix).toContain('git rm --cached -- .env');
    expect(fix).toContain('.gitignore already ignores it');
    expect(fix).not.toMatch(/add it to \.gitignore/i);
    expect(fix).not.toMatch(/rotate what/);
    // Not ignored: then adding it to .gitignore is the advice.
    const plain = makeRepo({ files: { 'a.txt': 'x\n' } });
    plain.write({ '.env': 'DEBUG=1\n' });
    plain.git('add', '.env');
    expect(cli(['scan', '--staged'], plain.dir).stdout).toMatch(/fix: .*Add it to \.gitignore/);
    // The working-tree scan of the force-added file does not say it either.
    const wt = cli(['scan'], repo.dir);
    expect(wt.stdout).toContain('It is tracked although .gitignore ignores it');
    expect(wt.stdout).not.toMatch(/add it to \.gitignore/i);
  });

  it('a placeholder warning never says rotate; below --fail-on the hook says the commit goes ahead', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    repo.write({ 'src/mail.js': client('your-token-here') });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('secret-guard: the commit goes ahead — 1 warning in the staged change, below --fail-on error');
    expect(r.stdout).toMatch(/warning .*\n.*fix: This literal reads as a stand-in/);
    expect(r.stdout).not.toMatch(/rotate a|Rotate/);
    expect(r.stdout).not.toContain('To commit:');
    repo.git('commit', '-q', '-m', 'placeholder');
    expect(cli(['scan', '--history'], repo.dir).stdout).not.toMatch(/rotate a real|Rotate/);
  });

  it('in history the token was committed: rotation is the fix there', () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'src/mail.js': client(t) } });
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fix: .*rotate a real token that was committed/);
    expect(r.stdout).not.toContain('commit blocked');
    expect(r.stdout).not.toContain('Nothing has left this machine');
    const json = JSON.parse(cli(['scan', '--staged', '--format', 'json'], repo.dir).stdout || '{"findings":[]}');
    expect(json.findings).toEqual([]);
  });
});
