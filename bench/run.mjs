#!/usr/bin/env node
/**
 * `npm run bench`: secret-guard against the tools and baselines it should be compared with, on
 * generated inputs (cached in bench/.work/) and, with `--repo PATH`, on real repositories.
 * Every figure is a median of whole-process runs measured in the same run, on the same input,
 * interleaved, after warm-up runs, so every command sees the same (warm) page cache. Targets
 * are ratios, because absolute times depend on the machine.
 *
 *   npm run bench [-- --repo PATH ...] [--tree PATH ...] [--runs N] [--only worktree,history,staged,push]
 *                 [--git-secrets-uuid] [--gitleaks PATH] [--trufflehog PATH] [--no-build] [--quick]
 *
 * --tree PATH adds a working-tree input only: a folder of a checkout, scanned as `scan` run in it
 * scans it (postmark.js's docs/ at its newest version is the keyword-dense case the throughput
 * issue names: `git clone postmark.js.git pm && npm run bench -- --only worktree --tree pm/docs`).
 * --gitleaks PATH and --trufflehog PATH name peers' binaries (built from their sources: `go build`
 * in a clone of gitleaks/gitleaks or trufflesecurity/trufflehog); $GITLEAKS and $TRUFFLEHOG do
 * too, else one on PATH is used. Each working-tree and history input is also scanned by each peer
 * that is here, its figure beside ours; a peer that is not here is said to be not measured.
 * Nothing here needs them.
 * --quick shrinks every input (for trying the runner; its figures do not meet the sizes asked for).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, availableParallelism, totalmem } from 'node:os';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseHistoryData, historyData, repoFacts, stagedClone, stagedData, worktreeData, gitSecretsMirror, WORK } from './lib/data.mjs';
import { compare, peakRss, runOnce } from './lib/measure.mjs';
import { pushSection } from './push.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin', 'secret-guard.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const NODE = process.execPath;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// git-secrets splits its pattern list on whitespace, so the pattern has none.
const GIT_SECRETS_POSTMARK = `(postmark|Postmark|POSTMARK).{0,80}${UUID}`;

function parseArgs(argv) {
  const o = { repos: [], trees: [], runs: undefined, only: ['worktree', 'history', 'staged', 'push'], build: true, quick: false, gitSecretsUuid: false, gitleaks: process.env.GITLEAKS || 'gitleaks', trufflehog: process.env.TRUFFLEHOG || 'trufflehog' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repo') o.repos.push(resolve(argv[++i]));
    else if (a === '--tree') o.trees.push(resolve(argv[++i]));
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--no-build') o.build = false;
    else if (a === '--quick') o.quick = true;
    else if (a === '--git-secrets-uuid') o.gitSecretsUuid = true;
    else if (a === '--gitleaks') o.gitleaks = resolve(argv[++i]);
    else if (a === '--trufflehog') o.trufflehog = resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const SIZES = opts.quick
  ? { tree: { files: 2000, bytes: 20e6, seed: 1 }, history: { commits: 2000, seed: 7 }, dense: { commits: 1000, seed: 11, initialFiles: 400, dense: { pages: 10, pageBytes: 100_000, pageEdits: 0.3, tokenFiles: 300 } }, staged: { files: 1000, bytes: 5e6, seed: 3 } }
  : { tree: { files: 20_000, bytes: 200e6, seed: 1 }, history: { commits: 20_000, seed: 7 }, dense: { commits: 10_000, seed: 11, initialFiles: 1500, dense: { pages: 40, pageBytes: 300_000, pageEdits: 0.3, tokenFiles: 3000 } }, staged: { files: 10_000, bytes: 60e6, seed: 3 } };

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

/** The machine and the tools found on it, read once. */
let MACHINE = {};
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
    gitleaks: tool(opts.gitleaks, ['version']),
    trufflehog: tool(opts.trufflehog, ['--version'])?.replace(/^trufflehog /, '') ?? null,
  };
}

/** Whether this build has a scan mode: an unknown mode is a usage error naming it. */
function modeAvailable(cwd, flag) {
  const r = runOnce(NODE, [BIN, 'scan', flag, '--format', 'json'], { cwd });
  const missing = r.code === 2 && /not available|Unknown argument|unknown option/i.test(r.stderr);
  return { available: !missing, probe: r };
}

/**
 * The bare node program of bench/floor.mjs, timed in the same rounds: how far the baseline's
 * ratio is from what node itself pays for the input (reading and decoding it; in the tree, one
 * UUID regex too), and how far the scan is from that.
 */
function floorLines(name, mode, r, out, baseline) {
  if (!r.floor || r.floor.last.code !== 0) {
    say(`- node floor (bench/floor.mjs ${mode}) did not complete: ${r.floor?.last.stderr.trim().split('\n')[0] ?? 'not run'}`);
    return;
  }
  out.floor = { wall: r.floor.wall, cpu: r.floor.cpu, what: r.floor.last.stdout.trim() };
  const what = mode === 'tree' ? 'the same files read, decoded and searched for the UUID pattern with one regex, one thread' : 'every object of `git cat-file --batch-all-objects --batch` read, each text blob decoded';
  const vs = baseline ? `; floor / ${baseline.name}: ${ratio(r.floor.wall, baseline.wall)}` : '';
  const scan = r.scan ? `; **scan / floor: ${ratio(r.scan.wall, r.floor.wall)}**` : '';
  say(`- node floor (bench/floor.mjs ${mode}: ${what}; ${out.floor.what}): ${s(r.floor.wall)} (CPU ${s(r.floor.cpu)})${vs}${scan}`);
  if (r.scan) row(name, `${mode} scan / node floor (bench/floor.mjs)`, `${ratio(r.scan.wall, r.floor.wall)} (floor ${s(r.floor.wall)}${vs})`);
}

function nodeBaseline(results) {
  return `bare node start (\`node -e 0\`): ${s(results.node.wall)}`;
}

// ---------------------------------------------------------------------------------------------

/** One summary row per figure the issues ask for; printed as one table at the end. */
const summary = [];
const row = (input, measure, value, target = '', verdict = '') => summary.push({ input, measure, value, target, verdict });

async function worktreeSection(name, dir, data, runs) {
  // The throughput issue's goals: the generated tree (few files name a rule's keyword) within 2x
  // of ripgrep's plain UUID search; a real tree within 5x (postmark.js's docs say "postmark"
  // everywhere, so the engine reads most of it).
  const target = data ? 2 : 5;
  say(`### ${name}`);
  if (data) say(`input: generated git repository, ${data.files} files committed, ${mb(data.bytes).toFixed(0)} MB (${Object.entries(data.counts).map(([k, n]) => `${n} ${k}`).join(', ')}), plus an ignored node_modules/; ${data.planted.length} planted tokens`);
  else say("input: the repository's working tree as it is (tracked and untracked, not ignored)");
  const commands = {
    scan: { cmd: NODE, args: [BIN, 'scan', '--format', 'json'], cwd: dir },
    rg: { cmd: 'rg', args: ['--count-matches', '--hidden', '--glob', '!.git', UUID, '.'], cwd: dir, stdout: 'count' },
    node: { cmd: NODE, args: ['-e', '0'] },
    floor: { cmd: NODE, args: [FLOOR, 'tree'], cwd: dir },
  };
  const haveRg = tool('rg', ['--version']) !== null;
  if (!haveRg) delete commands.rg;
  const r = compare(commands, { runs, warmup: 1, onRound: (i) => log(`round ${i}/${runs}`) });
  if (r.scan.last.code === 2) {
    say(`- secret-guard scan did not complete (exit 2): ${r.scan.last.stderr.trim().split('\n')[0]}`);
    say();
    return { exit: 2 };
  }
  const json = JSON.parse(r.scan.last.stdout);
  const found = data ? data.planted.filter((p) => json.findings.some((f) => f.file === p.path && f.line === p.line && f.severity === 'error')) : null;
  const st = json.stats;
  const out = {
    input: data ? { files: data.files, bytes: data.bytes } : undefined,
    scan: { wall: r.scan.wall, cpu: r.scan.cpu, exit: r.scan.last.code, filesScanned: st.filesScanned, bytesScanned: st.bytesScanned, filesPerSecond: st.filesScanned / r.scan.wall, mbPerSecond: mb(st.bytesScanned) / r.scan.wall, planted: found ? `${found.length}/${data.planted.length}` : undefined },
    node: { wall: r.node.wall },
  };
  say(`- secret-guard scan --format json: ${s(r.scan.wall)} (CPU ${s(r.scan.cpu)}), exit ${r.scan.last.code}, ${st.filesScanned} files / ${mb(st.bytesScanned).toFixed(0)} MB scanned, ${st.skipped.binary} binary skipped → ${Math.round(out.scan.filesPerSecond)} files/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s${found ? `; planted tokens found: ${out.scan.planted}` : ''}`);
  row(name, 'worktree scan', `${s(r.scan.wall)}: ${Math.round(out.scan.filesPerSecond)} files/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s (${st.filesScanned} files, ${mb(st.bytesScanned).toFixed(0)} MB)`, found ? `finds all ${data.planted.length} planted` : '', found ? (found.length === data.planted.length ? 'yes' : `NO (${out.scan.planted})`) : '');
  if (haveRg) {
    out.rg = { wall: r.rg.wall, cpu: r.rg.cpu, ratio: r.scan.wall / r.rg.wall };
    say(`- ripgrep, plain UUID pattern (\`rg --count-matches --hidden --glob '!.git' UUID .\`, output read through a pipe): ${s(r.rg.wall)} (CPU ${s(r.rg.cpu)})`);
    say(`- **ratio scan / rg: ${ratio(r.scan.wall, r.rg.wall)}** (target ≤ ${target}x: ${verdict(out.rg.ratio, target)}); CPU-time ratio ${ratio(r.scan.cpu, r.rg.cpu)}; scan minus node start / rg: ${ratio(r.scan.wall - r.node.wall, r.rg.wall)}`);
    row(name, 'worktree scan / rg (wall)', `${ratio(r.scan.wall, r.rg.wall)} (rg ${s(r.rg.wall)}; CPU ratio ${ratio(r.scan.cpu, r.rg.cpu)}; less node start ${ratio(r.scan.wall - r.node.wall, r.rg.wall)})`, `≤ ${target}x`, verdict(out.rg.ratio, target));
  } else {
    say('- ripgrep is not installed: the ratio to rg is skipped');
    row(name, 'worktree scan / rg', 'rg not installed', `≤ ${target}x`, 'not measured');
  }
  say(`- ${nodeBaseline(r)}; scan minus node start: ${s(r.scan.wall - r.node.wall)}`);
  floorLines(name, 'tree', r, out, haveRg ? { name: 'rg', wall: r.rg.wall } : null);
  out.peers = peerLines(name, 'worktree scan', 'tree', dir, data?.planted, runs, r.scan.wall);
  say();
  return out;
}

async function worktreeSections(runs) {
  say('## 1. Working-tree scan');
  const out = {};
  const data = await worktreeData(SIZES.tree, log, SUFFIX);
  out.generated = await worktreeSection(`generated tree (bench/gen/tree.mjs)`, data.dir, data, runs);
  for (const repo of opts.repos) {
    if (!existsSync(repo)) continue;
    if (execFileSync('git', ['rev-parse', '--is-bare-repository'], { cwd: repo }).toString().trim() === 'true') {
      say(`### ${repo}\n- a bare repository has no working tree; skipped\n`);
      continue;
    }
    out[repo] = await worktreeSection(repo, repo, null, runs);
  }
  for (const tree of opts.trees) {
    if (existsSync(tree)) out[tree] = await worktreeSection(tree, tree, null, runs);
    else say(`### ${tree}\n- does not exist; skipped\n`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkPlanted(planted, findings) {
  const atCommit = (f, p) => !p.commit || (f.commit && String(f.commit.sha ?? f.commit).startsWith(p.commit.slice(0, 7)));
  // A staged change set aside is introduced by the stash's index commit (refs/stash^2), not by the
  // stash commit the generator records; what matters is that the stash is named as its holder.
  const inStash = (f) => (f.holders?.refs ?? []).includes('refs/stash');
  const hit = (p) => findings.some((f) => f.file === p.path && (p.kind === 'stash' ? inStash(f) : atCommit(f, p)));
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

/**
 * The peers, each run over the same input when it is here:
 * - gitleaks with its default rules (some 200, none for Postmark: a token is found only where a
 *   generic rule happens to match); `gitleaks git` reads `git log -p -U0 --full-history --all`.
 * - TruffleHog with only its Postmark detector (`postmark` near a UUID), unverified: the closest to
 *   a like-for-like rule set. `trufflehog git file://…` clones the repository first and reads the
 *   clone's log, as it does for any repository it is given.
 * `target`: 'tree' (cwd is the folder) or 'history' (cwd is the repository, bare or not).
 */
const PEERS = [
  {
    id: 'gitleaks',
    args: (target, cwd, report) => [...(target === 'tree' ? ['dir', '.'] : ['git', '--log-opts=--all', '.']), '--no-banner', '--log-level', 'error', '--report-format', 'json', '--report-path', report, '--exit-code', '0'],
    shown: (target) => (target === 'tree' ? 'gitleaks dir .' : 'gitleaks git --log-opts=--all .'),
    about: 'its default rules, none for Postmark',
    leaks: (run, report) => JSON.parse(readFileSync(report, 'utf8')).map((l) => ({ rule: l.RuleID, file: l.File, line: l.StartLine })),
  },
  {
    id: 'trufflehog',
    args: (target, cwd) => [...(target === 'tree' ? ['filesystem', '.'] : ['git', `file://${cwd}`, ...(isBare(cwd) ? ['--bare'] : [])]), '--no-verification', '--no-update', '--include-detectors=postmark', '--results=verified,unknown,unverified', '--json', '--log-level=-1'],
    shown: (target) => (target === 'tree' ? 'trufflehog filesystem .' : 'trufflehog git file://…') + ' --include-detectors=postmark --no-verification',
    about: 'its Postmark detector only',
    leaks: (run) =>
      run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => {
        const j = JSON.parse(l);
        const m = j.SourceMetadata?.Data?.Git ?? j.SourceMetadata?.Data?.Filesystem ?? {};
        return { rule: j.DetectorName, file: m.file, line: m.line };
      }),
  },
];

const isBare = (dir) => execFileSync('git', ['rev-parse', '--is-bare-repository'], { cwd: dir }).toString().trim() === 'true';

/** Each peer that is here over one input: best of up to two runs, after the alternated rounds (a peer's figure, as git-secrets' is), with its peak memory (the largest of those runs) and what it reported of the planted tokens. */
function peerLines(name, label, target, cwd, planted, runs, ours) {
  const out = {};
  for (const peer of PEERS) {
    const version = MACHINE[peer.id];
    if (!version) {
      say(`- ${peer.id}: not measured (none here; \`--${peer.id} PATH\` names one built from its source)`);
      continue;
    }
    const report = join(WORK, `${peer.id}-report.json`);
    const args = peer.args(target, cwd, report);
    // Each run under /usr/bin/time, which writes its peak memory apart from the tool's output.
    const rssFile = join(WORK, `${peer.id}-rss.txt`);
    const timed = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;
    const peerRuns = [];
    for (let i = 0; i < Math.max(1, Math.min(runs, 2)); i++) {
      const r = timed ? runOnce('/usr/bin/time', ['-f', '%M', '-o', rssFile, opts[peer.id], ...args], { cwd }) : runOnce(opts[peer.id], args, { cwd });
      r.rssMb = timed ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
      peerRuns.push(r);
    }
    rmSync(rssFile, { force: true });
    const best = peerRuns.reduce((a, b) => (b.wall < a.wall ? b : a));
    const rssMb = Math.max(...peerRuns.map((r) => r.rssMb));
    let leaks = null;
    try {
      leaks = peer.leaks(best, report);
    } catch {
      // no report: its exit code and stderr say why
    }
    rmSync(report, { force: true });
    if (!leaks) {
      say(`- ${peer.id} ${version} (\`${peer.shown(target)}\`): exit ${best.code}, no report (${best.stderr.trim().split('\n').pop()?.slice(0, 200)})`);
      continue;
    }
    const byRule = new Map();
    for (const l of leaks) byRule.set(l.rule, (byRule.get(l.rule) ?? 0) + 1);
    const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} ${r}`).join(', ');
    const strip = (f) => String(f ?? '').replace(/^\.\//, '');
    const found = planted ? planted.filter((p) => leaks.some((l) => strip(l.file) === p.path && (!p.line || !l.line || l.line === p.line))) : null;
    out[peer.id] = { version, wall: best.wall, cpu: best.cpu, exit: best.code, maxRssMb: rssMb, findings: leaks.length, planted: found ? `${found.length}/${planted.length}` : undefined, ratio: ours ? ours / best.wall : undefined };
    say(`- ${peer.id} ${version} (\`${peer.shown(target)}\`, ${peer.about}), best of ${peerRuns.length}: ${s(best.wall)} (CPU ${s(best.cpu)}), peak RSS ${rssMb.toFixed(0)} MB, exit ${best.code}, ${leaks.length} findings${rules ? ` (${rules})` : ''}${found ? `; planted tokens it reported: ${out[peer.id].planted}` : ''}`);
    if (ours) {
      say(`  ratio ${label} / ${peer.id}: ${ratio(ours, best.wall)}`);
      row(name, `${label} / ${peer.id}`, `${ratio(ours, best.wall)} (${peer.id} ${s(best.wall)}, ${leaks.length} findings${found ? `, ${out[peer.id].planted} planted` : ''})`);
    }
  }
  return out;
}

async function historySection(name, repo, facts, planted, runs) {
  if (!name.startsWith('generated')) say(`### ${name}`);
  say(`input: ${facts.commits} commits reachable from all refs, ${facts.blobs} unique blobs, ${mb(facts.blobBytes).toFixed(0)} MB of blob content`);
  const avail = modeAvailable(repo, '--history');
  const logStream = runOnce('git', ['log', '-p', '-U0', '--all'], { cwd: repo, stdout: 'count' }).stdoutBytes;
  const commands = {
    gitlog: { cmd: 'git', args: ['log', '-p', '-U0', '--all'], cwd: repo, stdout: 'null' },
    node: { cmd: NODE, args: ['-e', '0'] },
    floor: { cmd: NODE, args: [FLOOR, 'history'], cwd: repo },
  };
  if (avail.available) commands.scan = { cmd: NODE, args: [BIN, 'scan', '--history', '--format', 'json'], cwd: repo };
  const r = compare(commands, { runs, warmup: 1, onRound: (i) => log(`round ${i}/${runs}`) });
  const out = { commits: facts.commits, blobBytes: facts.blobBytes, gitLog: { wall: r.gitlog.wall, cpu: r.gitlog.cpu, streamBytes: logStream }, node: { wall: r.node.wall } };
  say(`- \`git log -p -U0 --all > /dev/null\`: ${s(r.gitlog.wall)} (CPU ${s(r.gitlog.cpu)}); its patch stream is ${mb(logStream).toFixed(0)} MB → ${(mb(logStream) / r.gitlog.wall).toFixed(0)} MB/s of patch, ${Math.round(facts.commits / r.gitlog.wall)} commits/s`);
  if (avail.available) {
    const json = JSON.parse(r.scan.last.stdout);
    const rss = await peakRss(NODE, [BIN, 'scan', '--history', '--format', 'json'], { cwd: repo });
    out.scan = { wall: r.scan.wall, cpu: r.scan.cpu, exit: r.scan.last.code, ratio: r.scan.wall / r.gitlog.wall, commitsPerSecond: facts.commits / r.scan.wall, mbPerSecond: mb(facts.blobBytes) / r.scan.wall, maxRssMb: rss.maxRssMb, nodeMaxRssMb: rss.selfMaxMb, gitMaxRssMb: rss.childMaxMb, gitMaxCommand: rss.childCommand, treeRssMb: rss.treeRssMb, treePssMb: rss.treePssMb, findings: json.findings.length, stats: json.stats };
    if (planted) out.scan.planted = checkPlanted(planted, json.findings);
    say(`- secret-guard scan --history --format json: ${s(r.scan.wall)} (CPU ${s(r.scan.cpu)}), exit ${r.scan.last.code}, ${json.findings.length} findings${planted ? `; planted tokens found: ${out.scan.planted}` : ''}`);
    say(`  → ${Math.round(out.scan.commitsPerSecond)} commits/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s of unique blob content`);
    const st = json.stats ?? {};
    const own = [['commitsScanned', 'commits'], ['blobsScanned', 'blobs'], ['filesScanned', 'files']].filter(([k]) => st[k] !== undefined).map(([k, w]) => `${st[k]} ${w}`);
    if (st.bytesScanned !== undefined) own.push(`${mb(st.bytesScanned).toFixed(0)} MB`);
    if (own.length) say(`  (the scan's own count of what it read: ${own.join(', ')})`);
    say(`- **ratio scan --history / git log -p: ${ratio(r.scan.wall, r.gitlog.wall)}** (target ≤ 1.0: ${verdict(out.scan.ratio, 1.0)}); CPU-time ratio ${ratio(r.scan.cpu, r.gitlog.cpu)}`);
    const rssOk = out.scan.maxRssMb < 300 && out.scan.treePssMb < 300;
    const git = `; node's own ${out.scan.nodeMaxRssMb.toFixed(0)} MB${out.scan.gitMaxCommand ? `, the largest git process's (${out.scan.gitMaxCommand}) ${out.scan.gitMaxRssMb.toFixed(0)} MB` : ''}`;
    say(`- peak memory: RSS of the largest process (what /usr/bin/time reports: node's, or a child's where one was larger) ${out.scan.maxRssMb.toFixed(0)} MB${git}; node plus its git children, sampled every 20 ms: PSS ${out.scan.treePssMb.toFixed(0)} MB (pages shared by several processes, such as git's mapped pack files, counted once), RSS ${out.scan.treeRssMb.toFixed(0)} MB (shared pages counted in every process) (target < 300 MB, judged on the largest process and the tree's PSS: ${rssOk ? 'meets target' : 'MISSES target'})`);
    row(name, 'history scan / git log -p -U0 --all', `${ratio(r.scan.wall, r.gitlog.wall)} (${s(r.scan.wall)} vs ${s(r.gitlog.wall)}; CPU ratio ${ratio(r.scan.cpu, r.gitlog.cpu)})`, '≤ 1.0x', verdict(out.scan.ratio, 1.0));
    row(name, 'history scan throughput', `${Math.round(out.scan.commitsPerSecond)} commits/s, ${out.scan.mbPerSecond.toFixed(0)} MB/s of unique blobs (${facts.commits} commits, ${mb(facts.blobBytes).toFixed(0)} MB)`);
    row(name, 'history scan peak memory', `${out.scan.maxRssMb.toFixed(0)} MB RSS (largest process; node ${out.scan.nodeMaxRssMb.toFixed(0)} MB${out.scan.gitMaxCommand ? `, ${out.scan.gitMaxCommand} ${out.scan.gitMaxRssMb.toFixed(0)} MB` : ''}); ${out.scan.treePssMb.toFixed(0)} MB PSS / ${out.scan.treeRssMb.toFixed(0)} MB RSS with git children`, '< 300 MB', rssOk ? 'meets target' : 'MISSES target');
    if (planted) row(name, 'history scan finds planted tokens', out.scan.planted, `all ${planted.length}`, out.scan.planted.startsWith(`${planted.length}/`) ? 'yes' : 'NO');
  } else {
    say(`- secret-guard scan --history: NOT AVAILABLE in this build (${avail.probe.stderr.trim().split('\n')[0]}); section measured without it`);
    row(name, 'history scan', 'not available in this build', '', 'not measured');
  }
  say(`- ${nodeBaseline(r)}${out.scan ? `; scan minus node start: ${s(out.scan.wall - r.node.wall)} (${ratio(out.scan.wall - r.node.wall, r.gitlog.wall)} of git log -p)${r.node.wall > 0.25 * out.scan.wall ? '; node start is a large part of this scan, so the ratio mostly measures it' : ''}` : ''}`);
  floorLines(name, 'history', r, out, { name: 'git log -p', wall: r.gitlog.wall });

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
      if (out.scan) {
        say(`  **ratio scan --history / git-secrets: ${ratio(out.scan.wall, wall)}** (target < 1: ${out.scan.wall < wall ? 'faster' : 'SLOWER'})`);
        row(name, `history scan / git secrets --scan-history (${label})`, `${ratio(out.scan.wall, wall)} (git-secrets ${s(wall)}${planted ? `, finds ${cov.planted}` : ''})`, '< 1x', out.scan.wall < wall ? 'faster' : 'SLOWER');
      }
      execFileSync('rm', ['-rf', mirror]);
    }
  } else {
    say('- git-secrets is not installed: comparison skipped');
    row(name, 'history scan / git-secrets', 'git-secrets not installed', '< 1x', 'not measured');
  }
  out.peers = peerLines(name, 'history scan', 'history', repo, planted, runs, out.scan?.wall);
  say();
  return out;
}

async function historySections(runs) {
  say('## 2. History scan');
  say('git-secrets reads `git log --all -G<pattern>` (merge commits are not diffed, so a token that only a merge resolution introduced is not selected) and then runs `git grep` over the whole tree of every selected commit, printing every matching line of every selected revision; it does not stop at the first match. Its pattern is one line wide: context on another line (a YAML block whose host is smtp.postmarkapp.com) is invisible to it.');
  say();
  const out = {};
  const data = await historyData(SIZES.history, log, SUFFIX);
  say(`### generated repository (bench/gen/history.mjs: ${data.commits} commits written, side branches with merges, tags, a stash)`);
  out.generated = await historySection('generated history (bench/gen/history.mjs)', data.dir, data, data.planted, runs);
  const dense = await denseHistoryData(SIZES.dense, log, SUFFIX);
  const d = SIZES.dense.dense;
  say(`### generated keyword-dense repository (bench/gen/history.mjs with \`dense\`: ${dense.commits} commits, Postmark named in most files, ${d.pages} pages of ~${Math.round(d.pageBytes / 1000)} KB regenerated in ${Math.round(d.pageEdits * 100)}% of commits, ${d.tokenFiles} files holding tokens)`);
  out.dense = await historySection('generated keyword-dense history (bench/gen/history.mjs dense)', dense.dir, dense, dense.planted, runs);
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

const STAGED_LINES = "\nexport const mailer = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\nexport const retries = 3;\n";

async function stagedSection(name, dir, described, runs) {
  say(`### ${name}`);
  say(`input: ${described}`);
  const avail = modeAvailable(dir, '--staged');
  const commands = {
    node: { cmd: NODE, args: ['-e', '0'] },
    version: { cmd: NODE, args: [BIN, '--version'] },
  };
  if (avail.available) commands.staged = { cmd: NODE, args: [BIN, 'scan', '--staged'], cwd: dir };
  const r = compare(commands, { runs, warmup: 3 });
  const out = { node: { wall: r.node.wall }, version: { wall: r.version.wall, ratio: r.version.wall / r.node.wall } };
  say(`- bare node start (\`node -e 0\`): ${s(r.node.wall)}`);
  say(`- \`secret-guard --version\`: ${s(r.version.wall)} (${ratio(r.version.wall, r.node.wall)} of node start)`);
  if (avail.available) {
    out.staged = { wall: r.staged.wall, exit: r.staged.last.code, ratio: r.staged.wall / r.node.wall };
    say(`- secret-guard scan --staged: ${s(r.staged.wall)}, exit ${r.staged.last.code}${r.staged.last.code === 2 ? ` (${r.staged.last.stderr.trim().split('\n')[0]})` : ''}`);
    say(`- **ratio scan --staged / node -e 0: ${ratio(r.staged.wall, r.node.wall)}** (target ≤ 2.5x: ${verdict(out.staged.ratio, 2.5)})`);
    row(name, 'staged latency (whole process, median)', `${s(r.staged.wall)} = ${ratio(r.staged.wall, r.node.wall)} of \`node -e 0\` (${s(r.node.wall)}); --version ${ratio(r.version.wall, r.node.wall)}`, '≤ 2.5x', r.staged.last.code === 2 ? 'DID NOT COMPLETE' : verdict(out.staged.ratio, 2.5));
  } else {
    say(`- secret-guard scan --staged: NOT AVAILABLE in this build (${avail.probe.stderr.trim().split('\n')[0]})`);
    row(name, 'staged latency', 'not available in this build', '≤ 2.5x', 'not measured');
  }
  say(`- medians of ${runs} runs each, interleaved, after 3 warm-up runs`);
  say();
  return out;
}

async function stagedSections(runs) {
  say('## 3. Staged latency (pre-commit)');
  const out = {};
  const data = await stagedData(SIZES.staged, log, SUFFIX);
  // A one-file change, staged: the same every run, from a clean index.
  const g = (args) => execFileSync('git', args, { cwd: data.dir });
  g(['reset', '-q', '--hard', 'HEAD']);
  const target = g(['ls-files', '*.js']).toString().split('\n')[0];
  appendFileSync(join(data.dir, target), STAGED_LINES);
  g(['add', '--', target]);
  out.generated = await stagedSection('generated repository (bench/gen/tree.mjs)', data.dir, `generated git repository of ${data.files} files (${mb(data.bytes).toFixed(0)} MB), one modified file staged (${target})`, runs);
  for (const repo of opts.repos) {
    if (!existsSync(repo)) continue;
    const clone = stagedClone(repo, basename(repo), STAGED_LINES);
    if (!clone) {
      say(`### ${repo}\n- no commit with a small text file to change; staged latency skipped\n`);
      continue;
    }
    out[repo] = await stagedSection(repo, clone.dir, `a clone of ${repo} sharing its objects (\`git clone --shared --no-checkout\`, index read from HEAD: ${clone.files} files), one modified file staged (${clone.path}); the repository itself is not touched`, runs);
    execFileSync('rm', ['-rf', clone.dir]);
  }
  return out;
}

function printSummary() {
  say('## Summary');
  say();
  say('| input | measure | value | target | verdict |');
  say('|---|---|---|---|---|');
  for (const r of summary) say(`| ${[r.input, r.measure, r.value, r.target, r.verdict].map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  say();
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (opts.build) {
    log('npm run build');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const m = (MACHINE = machine());
  const started = Date.now();
  say(`# secret-guard benchmark${opts.quick ? ' (--quick: reduced sizes, not the figures asked for)' : ''}`);
  say(`machine: ${m.nproc} cores (${m.cpu}), ${m.memGb} GB RAM; node ${m.node}; ${m.git}; ${m.rg ?? 'ripgrep not installed'}; git-secrets ${m.gitSecrets ?? 'not installed'}; gitleaks ${m.gitleaks ?? 'not found'}; trufflehog ${m.trufflehog ?? 'not found'}`);
  say('all times are medians of whole-process wall-clock runs, interleaved, after warm-up (warm page cache for every command)');
  say();
  const results = { machine: m, date: new Date().toISOString(), quick: opts.quick };
  if (opts.only.includes('worktree')) results.worktree = await worktreeSections(opts.runs ?? 5);
  if (opts.only.includes('history')) results.history = await historySections(opts.runs ?? 3);
  if (opts.only.includes('staged')) results.staged = await stagedSections(opts.runs ?? 15);
  if (opts.only.includes('push')) results.push = await pushSection({ say, row, log, history: await historyData(SIZES.history, log, SUFFIX), work: WORK, bin: BIN, node: NODE, runs: opts.runs });
  printSummary();
  results.summary = summary;
  results.seconds = (Date.now() - started) / 1000;
  say(`bench finished in ${s(results.seconds)}; this report: bench/.work/report.md, figures: bench/.work/results.json`);
  writeFileSync(join(WORK, 'results.json'), JSON.stringify(results, null, 1));
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
