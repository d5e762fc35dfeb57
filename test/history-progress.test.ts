import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clock, ProgressBar } from '../src/scan/progress.js';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, makeRepo, tempDir } from './helpers/repo.js';
import { needTool } from './helpers/tools.js';

afterAll(cleanupAll);

// util-linux `script` gives the CLI a real terminal (macOS has another `script`).
const SCRIPT = needTool('script', 'the progress bar tests on a terminal');
const hasScript = SCRIPT !== null;

/**
 * Runs the CLI under a real pseudo-terminal (util-linux `script`): what the terminal shows is
 * returned; `shellTail` redirects the CLI's own streams inside that terminal.
 */
function inTerminal(args: string[], cwd: string, shellTail = ''): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `${[process.execPath, BIN, ...args].map(quote).join(' ')} ${shellTail}`;
  const r = spawnSync(SCRIPT!, ['-qfec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' } });
  expect(r.status, r.stderr).toBeLessThan(2);
  return r.stdout;
}

const BAR = /\r\[[#.]{24}\] (\d+)\/(\d+) commits · \d+\/s · ETA (\d+:\d\d|--:--)\x1b\[K/g;

describe('progress of a history scan', () => {
  function repoWithCommits(n: number) {
    const repo = makeRepo({ files: { 'f0.txt': '0\n' } });
    for (let i = 1; i < n; i++) repo.commit({ [`f${i}.txt`]: `${i}\n` });
    return repo;
  }

  it.skipIf(!hasScript)('draws done/total, rate and ETA on a terminal\'s stderr, clears it, and keeps stdout clean', () => {
    const repo = repoWithCommits(5);
    const out = join(tempDir(), 'report.txt');
    const screen = inTerminal(['scan', '--history'], repo.dir, `> ${out}`);
    const bars = [...screen.matchAll(BAR)];
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.at(-1)!.slice(1, 3)).toEqual(['5', '5']);
    expect(bars.every((m) => m[2] === '5')).toBe(true);
    // The bar is erased before the report: the terminal's last word is the clearing sequence.
    expect(screen.endsWith('\r\x1b[K')).toBe(true);
    const report = readFileSync(out, 'utf8');
    expect(report).toMatch(/^no findings · 5 commits scanned/);
    expect(report).not.toContain('\r');
  });

  it.skipIf(!hasScript)('counts the commits of a range, not of the repository', () => {
    const repo = repoWithCommits(6);
    const screen = inTerminal(['scan', '--range', 'HEAD~2..HEAD'], repo.dir, '> /dev/null');
    const bars = [...screen.matchAll(BAR)];
    expect(bars.at(-1)!.slice(1, 3)).toEqual(['2', '2']);
  });

  it.skipIf(!hasScript)('writes nothing on stderr when stderr is piped, even with stdout on a terminal', () => {
    const repo = repoWithCommits(3);
    const err = join(tempDir(), 'stderr.txt');
    const screen = inTerminal(['scan', '--history'], repo.dir, `2> ${err}`);
    expect(readFileSync(err, 'utf8')).toBe('');
    expect(screen).toMatch(/no findings · 3 commits scanned/);
    expect(screen).not.toMatch(BAR);
  });

  it('writes nothing on stderr when run from a pipe', () => {
    const repo = repoWithCommits(3);
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('ProgressBar', () => {
  it('computes the rate and the time left from its clock, and redraws at most every 100 ms', () => {
    let t = 1_000_000;
    const drawn: string[] = [];
    const bar = new ProgressBar((s) => drawn.push(s), 100, 'commits', () => t);
    t += 5000;
    bar.tick(25);
    expect(drawn).toEqual([`\r[######..................] 25/100 commits · 5/s · ETA 0:15\x1b[K`]);
    t += 50;
    bar.tick();
    expect(drawn).toHaveLength(1);
    t += 4950;
    bar.tick(24);
    expect(drawn.at(-1)).toContain('50/100 commits · 5/s · ETA 0:10');
    bar.tick(50); // the last tick is always drawn, however soon
    expect(drawn.at(-1)).toContain('[########################] 100/100 commits · 10/s · ETA 0:00');
    bar.finish();
    expect(drawn.at(-1)).toBe('\r\x1b[K');
  });

  it('never shows more done than total, and no ETA before anything is done', () => {
    let t = 0;
    const bar = new ProgressBar(() => {}, 2, 'commits', () => t);
    expect(bar.line()).toContain('0/2 commits · 0/s · ETA --:--');
    t = 1000;
    bar.tick(3);
    expect(bar.line()).toContain('3/3 commits');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(NaN)).toBe('--:--');
  });

  it('draws nothing to clear when it never drew', () => {
    const drawn: string[] = [];
    new ProgressBar((s) => drawn.push(s), 10, 'commits').finish();
    expect(drawn).toEqual([]);
  });
});
