/**
 * The push gate (`scan --pre-receive`, issue #14) on a server that holds a long history: a bare
 * clone of the generated history (bench/gen/history.mjs) sharing its objects, and pushes written
 * straight into its object database, unreferenced, as they sit while the hook runs (git's
 * quarantine is one more object directory; the scan reads through git either way). The hook's
 * input is given on standard input, as git gives it.
 *
 * - one commit on main (one file changed): whole-process time of the hook's command as a ratio to
 *   `node -e 0`, both started the same way (`sh -c 'exec … < lines'`); aim < 3x;
 * - a new branch of 1,000 commits: time per commit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng, sourceFile } from './gen/content.mjs';
import { compare } from './lib/measure.mjs';

const git = (cwd, args, input) => execFileSync('git', args, { cwd, input, maxBuffer: 1 << 30 }).toString('utf8').trim();

/** A bare clone that borrows the history's objects: the server. */
export function pushServer(history, work) {
  const dir = join(work, 'push-server.git');
  rmSync(dir, { recursive: true, force: true });
  git(work, ['clone', '-q', '--bare', '--shared', history, dir]);
  return dir;
}

/**
 * `n` commits on top of `base`, each changing one source file, written with fast-import into the
 * server's object database under a temporary ref that is deleted again: the objects stay,
 * unreferenced, like a push in quarantine. Returns the tip.
 */
export function unreferencedCommits(server, base, n, seed) {
  const r = rng(seed);
  const ref = `refs/bench/push-${n}`;
  const parts = [];
  for (let i = 1; i <= n; i++) {
    const data = Buffer.from(sourceFile(r, 'js', r.int(800, 4000)));
    parts.push(`commit ${ref}\nmark :${i}\ncommitter Bench Pusher <pusher@example.com> ${1_700_000_000 + i} +0000\ndata 18\nChange the mailer\n`);
    parts.push(i === 1 ? `from ${base}\n` : `from :${i - 1}\n`);
    parts.push(`M 100644 inline web/src/push-${n}-${i % 50}.js\ndata ${data.length}\n`);
    parts.push(data);
    parts.push('\n\n');
  }
  const stream = Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
  execFileSync('git', ['-c', 'gc.auto=0', 'fast-import', '--quiet'], { cwd: server, input: stream });
  const tip = git(server, ['rev-parse', ref]);
  git(server, ['update-ref', '-d', ref]);
  return tip;
}

export async function pushSection({ say, row, log, history, work, bin, node, runs }) {
  say('## 4. Push gate (pre-receive)');
  const server = pushServer(history.dir, work);
  const main = git(server, ['rev-parse', 'refs/heads/main']);
  say(`input: a bare server holding the generated history (${history.commits} commits, ${history.blobs} blobs; a --shared clone), the pushed commits written unreferenced into its object database`);
  const one = unreferencedCommits(server, main, 1, 11);
  const branch = unreferencedCommits(server, main, 1000, 12);
  const zero = '0'.repeat(main.length);
  const oneLines = join(work, 'push-one.txt');
  const branchLines = join(work, 'push-branch.txt');
  writeFileSync(oneLines, `${main} ${one} refs/heads/main\n`);
  writeFileSync(branchLines, `${zero} ${branch} refs/heads/feature-1000\n`);
  const hook = (lines) => ({ cmd: 'sh', args: ['-c', `exec '${node}' '${bin}' scan --pre-receive < '${lines}'`], cwd: server });
  const r1 = compare({ hook: hook(oneLines), node: { cmd: 'sh', args: ['-c', `exec '${node}' -e 0 < '${oneLines}'`] } }, { runs: runs ?? 15, warmup: 3, onRound: (i) => log(`one commit: round ${i}`) });
  if (r1.hook.last.code !== 0) say(`- the one-commit push was REFUSED or failed (exit ${r1.hook.last.code}): ${(r1.hook.last.stdout + r1.hook.last.stderr).trim().split('\n')[0]}`);
  const ratio1 = r1.hook.wall / r1.node.wall;
  const ms = (x) => `${(x * 1000).toFixed(0)} ms`;
  say(`- one commit on main: \`scan --pre-receive\` ${ms(r1.hook.wall)} (CPU ${ms(r1.hook.cpu)}), exit ${r1.hook.last.code}; \`node -e 0\` ${ms(r1.node.wall)}`);
  say(`- **ratio pre-receive / node -e 0: ${ratio1.toFixed(2)}x** (aim < 3x: ${ratio1 < 3 ? 'meets aim' : 'MISSES aim'})`);
  row(`push into a ${history.commits}-commit server`, 'pre-receive, one commit (whole process)', `${ms(r1.hook.wall)} = ${ratio1.toFixed(2)}x of \`node -e 0\` (${ms(r1.node.wall)})`, '< 3x', ratio1 < 3 ? 'meets aim' : 'MISSES aim');
  const r2 = compare({ hook: hook(branchLines) }, { runs: Math.min(runs ?? 5, 5), warmup: 1, onRound: (i) => log(`1,000 commits: round ${i}`) });
  if (r2.hook.last.code !== 0) say(`- the 1,000-commit push was REFUSED or failed (exit ${r2.hook.last.code}): ${(r2.hook.last.stdout + r2.hook.last.stderr).trim().split('\n')[0]}`);
  say(`- a new branch of 1,000 commits: ${ms(r2.hook.wall)} (CPU ${ms(r2.hook.cpu)}), exit ${r2.hook.last.code} → **${r2.hook.wall.toFixed(2)} ms per commit** (seconds for 1,000 = milliseconds for one)`);
  row(`push into a ${history.commits}-commit server`, 'pre-receive, new branch of 1,000 commits', `${ms(r2.hook.wall)}: ${r2.hook.wall.toFixed(2)} ms per commit`);
  say();
  if (existsSync(server)) rmSync(server, { recursive: true, force: true });
  return { oneCommit: { wall: r1.hook.wall, cpu: r1.hook.cpu, node: r1.node.wall, ratio: ratio1, exit: r1.hook.last.code }, thousand: { wall: r2.hook.wall, perCommitMs: r2.hook.wall, exit: r2.hook.last.code } };
}
