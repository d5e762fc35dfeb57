#!/usr/bin/env node
/**
 * `npm run bench`: secret-guard against the tools and baselines it should be compared with, on
 * generated inputs (cached in bench/.work/) and, with `--repo PATH`, on real repositories.
 * Every figure is a median of whole-process runs measured in the same run, on the same input,
 * interleaved, after warm-up runs, so every command sees the same (warm) page cache. Targets
 * are ratios, because absolute times depend on the machine.
 *
 *   npm run bench [-- --repo PATH ...] [--runs N] [--only worktree,history,staged]
 *                 [--git-secrets-uuid] [--no-build] [--quick]
 *
 * --quick shrinks every input (for trying the runner; its figures do not meet the sizes asked for).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, availableParallelism, totalmem } from 'node:os';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyData, repoFacts, stagedData, worktreeData, gitSecretsMirror, WORK } from './lib/data.mjs';
import { compare, peakRss, runOnce } from './lib/measure.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin', 'secret-guard.js');
const NODE = process.execPath;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// git-secrets splits its pattern list on whitespace, so the pattern has none.
const GIT_SECRETS_POSTMARK = `(postmark|Postmark|POSTMARK).{0,80}${UUID}`;

function parseArgs(argv) {
  const o = { repos: [], runs: undefined, only: ['worktree', 'history', 'staged'], build: true, quick: false, gitSecretsUuid: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repo') o.repos.push(resolve(argv[++i]));
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--no-build') o.build = false;
    else if (a === '--quick') o.quick = true;
    else if (a === '--git-secrets-uuid') o.gitSecretsUuid = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const SIZES = opts.quick
  ? { tree: { files: 2000, bytes: 20e6, seed: 1 }, history: { commits: 2000, seed: 7 }, staged: { files: 1000, bytes: 5e6, seed: 3 } }
  : { tree: { files: 20_000, bytes: 200e6, seed: 1 }, history: { commits: 20_000, seed: 7 }, staged: { files: 10_000, bytes: 60e6, seed: 3 } };

// Quick inputs are cached apart, so trying the runner does not evict the full-size ones.
const SUFFIX = opts.quick ? '-quick' : '';
mkdirSync(WORK, { recursive: true });
const REPORT = join(WORK, 'report.md');
writeFileSync(REPORT, '');
const say = (s = '') => {
  process.stdout.write(`${s}\n`);
  appendFileSync(REPORT, `${s}\n`);
};
const log = (s) => process.stderr.write(`  · ${s}\n`);

const s = (x) => (x >= 10 ? `${x.toFixed(1)} s` : x >= 1 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(0)} ms`);
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const mb = (bytes) => bytes / 1e6;
const verdict = (value, target, aim) => (value <= (aim ?? target) ? 'meets target' + (aim ? ' and aim' : '') : value <= target ? 'meets target' : `MISSES target (≤ ${target})`);

function tool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : null;
}

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  return {
    nproc: availableParallelism(),
    cpu,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    git: tool('git', ['--version']),
    rg: tool('rg', ['--version']),
    gitSecrets: existsSync('/usr/bin/git-secrets') || tool('git', ['secrets', '--list']) !== null ? 'installed' : null,
  };
}

/** Whether this build has a scan mode: an unknown mode is a usage error naming it. */
function modeAvailable(cwd, flag) {
  const r = runOnce(NODE, [BIN, 'scan', flag, '--format', 'json'], { cwd });
  const missing = r.code === 2 && /not available|Unknown argument|unknown option/i.test(r.stderr);
  return { available: !missing, probe: r };
}

function nodeBaseline(results) {
  return `bare node start (\`node -e 0\`): ${s(results.node.wall)}`;
}

// ---------------------------------------------------------------------------------------------

async function worktreeSection(runs) {
  say('## 1. Working-tree scan');
  const data = await worktreeData(SIZES.tree, log, SUFFIX);
  say(`input: generated git repository, ${data.files} files committed, ${mb(data.bytes).toFixed(0)} MB (${Object.entries(data.counts).map(([k, n]) => `${n} ${k}`).join(', ')}), plus an ignored node_modules/; ${data.planted.length} planted tokens`);
  const commands = {
    scan: { cmd: NODE, args: [BIN, 'scan', '--format', 'json'], cwd: data.dir },
    rg: { cmd: 'rg', args: ['--count-matches', '--hidden', '--glob', '!.git', UUID, '.'], cwd: data.dir, stdout: 'count' },
    node: { cmd: NODE, args: ['-e', '0'] },
  };
  const haveRg = tool('rg', ['--version']) !== null;
  if (!haveRg) delete commands.rg;
  const r = compare(commands, { runs, warmup: 1, onRound: (i) => log(`round ${i}/${runs}`) });
  const json = JSON.parse(r.scan.last.stdout);
  const found = data.planted.filter((p) => json.findings.some((f) => f.file === p.path && f.line === p.line && f.severity === 'error'));
  const st = json.stats;
  const out = {
    input: { files: data.files, bytes: data.bytes },
    scan: { wall: r.scan.wall, cpu: r.scan.cpu, exit: r.scan.last.code, filesScanned: st.filesScanned, bytesScanned: st.bytesScanned, filesPerSecond: st.filesScanned / r.scan.wall, mbPerSecond: mb(st.bytesScanned) / r.scan.wall, planted: `${found.length}/${data.planted.length}` },
    node: { wall: r.node.wall },
  };
  say(`- secret-guard scan --format json: ${s(r.scan.wall)} (CPU ${s(r.scan.cpu)}), exit ${r.scan.last.code}, ${st.filesScanned} files / ${mb(st.bytesScanned).toFixed(0)} MB scanned, ${st.skipped.binary} binary skipped → ${Math.round(out.scan.filesPerSecond)} files/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s; planted tokens found: ${out.scan.planted}`);
  if (haveRg) {
    out.rg = { wall: r.rg.wall, cpu: r.rg.cpu, ratio: r.scan.wall / r.rg.wall };
    say(`- ripgrep, plain UUID pattern (\`rg --count-matches --hidden --glob '!.git' UUID .\`, output read through a pipe): ${s(r.rg.wall)} (CPU ${s(r.rg.cpu)})`);
    say(`- **ratio scan / rg: ${ratio(r.scan.wall, r.rg.wall)}** (target ≤ 3x: ${verdict(out.rg.ratio, 3)}); CPU-time ratio ${ratio(r.scan.cpu, r.rg.cpu)}`);
  } else say('- ripgrep is not installed: the ratio to rg is skipped');
  say(`- ${nodeBaseline(r)}; scan minus node start: ${s(r.scan.wall - r.node.wall)}`);
  say();
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkPlanted(planted, findings) {
  const hit = (p) => findings.some((f) => f.file === p.path && (!p.commit || (f.commit && String(f.commit.sha ?? f.commit).startsWith(p.commit.slice(0, 7)))));
  const found = planted.filter(hit);
  const missed = planted.filter((p) => !hit(p)).map((p) => p.kind);
  return `${found.length}/${planted.length}${missed.length ? ` (missed: ${missed.join(', ')})` : ''}`;
}

function gitSecretsCoverage(planted, output) {
  const lines = output.split('\n').filter(Boolean);
  const found = planted.filter((p) => lines.some((l) => l.includes(`:${p.path}:`)));
  const missed = planted.filter((p) => !found.includes(p)).map((p) => p.kind);
  return { lines: lines.length, planted: `${found.length}/${planted.length}${missed.length ? ` (missed: ${missed.join(', ')})` : ''}` };
}

async function historySection(name, repo, facts, planted, runs) {
  say(`### ${name}`);
  say(`input: ${facts.commits} commits reachable from all refs, ${facts.blobs} unique blobs, ${mb(facts.blobBytes).toFixed(0)} MB of blob content`);
  const avail = modeAvailable(repo, '--history');
  const logStream = runOnce('git', ['log', '-p', '-U0', '--all'], { cwd: repo, stdout: 'count' }).stdoutBytes;
  const commands = {
    gitlog: { cmd: 'git', args: ['log', '-p', '-U0', '--all'], cwd: repo, stdout: 'null' },
    node: { cmd: NODE, args: ['-e', '0'] },
  };
  if (avail.available) commands.scan = { cmd: NODE, args: [BIN, 'scan', '--history', '--format', 'json'], cwd: repo };
  const r = compare(commands, { runs, warmup: 1, onRound: (i) => log(`round ${i}/${runs}`) });
  const out = { commits: facts.commits, blobBytes: facts.blobBytes, gitLog: { wall: r.gitlog.wall, cpu: r.gitlog.cpu, streamBytes: logStream }, node: { wall: r.node.wall } };
  say(`- \`git log -p -U0 --all > /dev/null\`: ${s(r.gitlog.wall)} (CPU ${s(r.gitlog.cpu)}); its patch stream is ${mb(logStream).toFixed(0)} MB → ${(mb(logStream) / r.gitlog.wall).toFixed(0)} MB/s of patch, ${Math.round(facts.commits / r.gitlog.wall)} commits/s`);
  if (avail.available) {
    const json = JSON.parse(r.scan.last.stdout);
    const rss = await peakRss(NODE, [BIN, 'scan', '--history', '--format', 'json'], { cwd: repo });
    out.scan = { wall: r.scan.wall, cpu: r.scan.cpu, exit: r.scan.last.code, ratio: r.scan.wall / r.gitlog.wall, commitsPerSecond: facts.commits / r.scan.wall, mbPerSecond: mb(facts.blobBytes) / r.scan.wall, maxRssMb: rss.maxRssMb, treeRssMb: rss.treeRssMb, findings: json.findings.length, stats: json.stats };
    if (planted) out.scan.planted = checkPlanted(planted, json.findings);
    say(`- secret-guard scan --history --format json: ${s(r.scan.wall)} (CPU ${s(r.scan.cpu)}), exit ${r.scan.last.code}, ${json.findings.length} findings${planted ? `; planted tokens found: ${out.scan.planted}` : ''}`);
    say(`  → ${Math.round(out.scan.commitsPerSecond)} commits/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s of unique blob content`);
    const st = json.stats ?? {};
    const own = [['commitsScanned', 'commits'], ['blobsScanned', 'blobs'], ['filesScanned', 'files']].filter(([k]) => st[k] !== undefined).map(([k, w]) => `${st[k]} ${w}`);
    if (st.bytesScanned !== undefined) own.push(`${mb(st.bytesScanned).toFixed(0)} MB`);
    if (own.length) say(`  (the scan's own count of what it read: ${own.join(', ')})`);
    say(`- **ratio scan --history / git log -p: ${ratio(r.scan.wall, r.gitlog.wall)}** (target ≤ 1.2, aim < 1.0: ${verdict(out.scan.ratio, 1.2, 0.999)}); CPU-time ratio ${ratio(r.scan.cpu, r.gitlog.cpu)}`);
    say(`- peak RSS: ${out.scan.maxRssMb.toFixed(0)} MB (largest process, /usr/bin/time), ${out.scan.treeRssMb.toFixed(0)} MB (node plus its git children, sampled) (target < 300 MB: ${out.scan.treeRssMb < 300 && out.scan.maxRssMb < 300 ? 'meets target' : 'MISSES target'})`);
  } else {
    say(`- secret-guard scan --history: NOT AVAILABLE in this build (${avail.probe.stderr.trim().split('\n')[0]}); section measured without it`);
  }
  say(`- ${nodeBaseline(r)}`);

  if (tool('git', ['secrets', '--list']) !== null || existsSync('/usr/bin/git-secrets')) {
    out.gitSecrets = {};
    const variants = [['postmark-context', GIT_SECRETS_POSTMARK]];
    if (opts.gitSecretsUuid) variants.push(['plain-uuid', UUID]);
    for (const [label, pattern] of variants) {
      const mirror = gitSecretsMirror(repo, basename(repo), pattern);
      const gsRuns = [];
      runOnce('git', ['secrets', '--scan-history'], { cwd: mirror, stdout: 'count' }); // warm-up
      for (let i = 0; i < Math.min(runs, 2); i++) gsRuns.push(runOnce('git', ['secrets', '--scan-history'], { cwd: mirror }));
      const wall = Math.min(...gsRuns.map((x) => x.wall));
      const cov = gitSecretsCoverage(planted ?? [], gsRuns[0].stdout + gsRuns[0].stderr);
      out.gitSecrets[label] = { wall, exit: gsRuns[0].code, lines: cov.lines, planted: planted ? cov.planted : undefined, ratio: out.scan ? out.scan.wall / wall : undefined };
      say(`- git secrets --scan-history, pattern \`${pattern}\` (in a mirror clone): ${s(wall)} (best of ${gsRuns.length}), exit ${gsRuns[0].code}, ${cov.lines} output lines${planted ? `; planted tokens reported: ${cov.planted}` : ''}`);
      if (out.scan) say(`  **ratio scan --history / git-secrets: ${ratio(out.scan.wall, wall)}** (target < 1: ${out.scan.wall < wall ? 'faster' : 'SLOWER'})`);
      execFileSync('rm', ['-rf', mirror]);
    }
  } else say('- git-secrets is not installed: comparison skipped');
  say();
  return out;
}

async function historySections(runs) {
  say('## 2. History scan');
  say('git-secrets reads `git log --all -G<pattern>` (merge commits are not diffed, so a token that only a merge resolution introduced is not selected) and then runs `git grep` over the whole tree of every selected commit, printing every matching line of every selected revision; it does not stop at the first match. Its pattern is one line wide: context on another line (a YAML block whose host is smtp.postmarkapp.com) is invisible to it.');
  say();
  const out = {};
  const data = await historyData(SIZES.history, log, SUFFIX);
  out.generated = await historySection(`generated repository (bench/gen/history.mjs: ${data.commits} commits written, side branches with merges, tags, a stash)`, data.dir, data, data.planted, runs);
  for (const repo of opts.repos) {
    if (!existsSync(repo)) {
      say(`### ${repo}\n- does not exist; skipped\n`);
      continue;
    }
    out[repo] = await historySection(repo, repo, repoFacts(repo), null, runs);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function stagedSection(runs) {
  say('## 3. Staged latency (pre-commit)');
  const data = await stagedData(SIZES.staged, log, SUFFIX);
  // A one-file change, staged: the same every run, from a clean index.
  const g = (args) => execFileSync('git', args, { cwd: data.dir });
  g(['reset', '-q', '--hard', 'HEAD']);
  const target = g(['ls-files', '*.js']).toString().split('\n')[0];
  appendFileSync(join(data.dir, target), "\nexport const mailer = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\nexport const retries = 3;\n");
  g(['add', '--', target]);
  say(`input: generated git repository of ${data.files} files (${mb(data.bytes).toFixed(0)} MB), one modified file staged (${target})`);
  const avail = modeAvailable(data.dir, '--staged');
  const commands = {
    node: { cmd: NODE, args: ['-e', '0'] },
    version: { cmd: NODE, args: [BIN, '--version'] },
  };
  if (avail.available) commands.staged = { cmd: NODE, args: [BIN, 'scan', '--staged'], cwd: data.dir };
  const r = compare(commands, { runs, warmup: 3 });
  const out = { node: { wall: r.node.wall }, version: { wall: r.version.wall, ratio: r.version.wall / r.node.wall } };
  say(`- bare node start (\`node -e 0\`): ${s(r.node.wall)}`);
  say(`- \`secret-guard --version\`: ${s(r.version.wall)} (${ratio(r.version.wall, r.node.wall)} of node start)`);
  if (avail.available) {
    out.staged = { wall: r.staged.wall, exit: r.staged.last.code, ratio: r.staged.wall / r.node.wall };
    say(`- secret-guard scan --staged: ${s(r.staged.wall)}, exit ${r.staged.last.code}`);
    say(`- **ratio scan --staged / node -e 0: ${ratio(r.staged.wall, r.node.wall)}** (target ≤ 6x, aim 4x: ${verdict(out.staged.ratio, 6, 4)})`);
  } else {
    say(`- secret-guard scan --staged: NOT AVAILABLE in this build (${avail.probe.stderr.trim().split('\n')[0]})`);
  }
  say(`- medians of ${runs} runs each, interleaved, after 3 warm-up runs`);
  say();
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (opts.build) {
    log('npm run build');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const m = machine();
  const started = Date.now();
  say(`# secret-guard benchmark${opts.quick ? ' (--quick: reduced sizes, not the figures asked for)' : ''}`);
  say(`machine: ${m.nproc} cores (${m.cpu}), ${m.memGb} GB RAM; node ${m.node}; ${m.git}; ${m.rg ?? 'ripgrep not installed'}; git-secrets ${m.gitSecrets ?? 'not installed'}`);
  say('all times are medians of whole-process wall-clock runs, interleaved, after warm-up (warm page cache for every command)');
  say();
  const results = { machine: m, date: new Date().toISOString(), quick: opts.quick };
  if (opts.only.includes('worktree')) results.worktree = await worktreeSection(opts.runs ?? 5);
  if (opts.only.includes('history')) results.history = await historySections(opts.runs ?? 3);
  if (opts.only.includes('staged')) results.staged = await stagedSection(opts.runs ?? 15);
  results.seconds = (Date.now() - started) / 1000;
  say(`bench finished in ${s(results.seconds)}; this report: bench/.work/report.md, figures: bench/.work/results.json`);
  writeFileSync(join(WORK, 'results.json'), JSON.stringify(results, null, 1));
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
