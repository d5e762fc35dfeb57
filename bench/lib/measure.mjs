/**
 * Timing whole processes: wall time from spawn to exit, CPU time of the child (user + system,
 * from the parent's cutime/cstime in /proc, so it includes the child's own children), and peak
 * memory sampled over the whole process tree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

/** CPU seconds used by this process's waited-for children so far, or NaN off Linux. */
function childCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / TICK; // cutime, cstime (fields 16, 17)
  } catch {
    return NaN;
  }
}

/**
 * Runs a command once. `stdout`: 'capture' (a pipe we read, the default), 'count' (a pipe we only
 * count bytes of) or 'null' (/dev/null, as a shell `> /dev/null` would).
 */
export function runOnce(cmd, args, { cwd, stdout = 'capture', env } = {}) {
  const devnull = stdout === 'null' ? openSync('/dev/null', 'w') : null;
  const cpu0 = childCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
    maxBuffer: 1 << 30,
    encoding: 'buffer',
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = childCpu() - cpu0;
  if (devnull !== null) closeSync(devnull);
  if (r.error) throw r.error;
  return {
    wall,
    cpu,
    code: r.status,
    stdout: stdout === 'capture' ? r.stdout.toString('utf8') : '',
    stdoutBytes: r.stdout ? r.stdout.length : 0,
    stderr: r.stderr.toString('utf8'),
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Runs every command `warmup` times, then `runs` rounds in which each command runs once, in
 * turn, so all of them see the same page cache and the same background noise. Returns, per
 * name, the runs and their medians.
 */
export function compare(commands, { runs, warmup = 1, onRound } = {}) {
  const results = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let w = 0; w < warmup; w++) for (const c of Object.values(commands)) runOnce(c.cmd, c.args, c);
  for (let i = 0; i < runs; i++) {
    for (const [name, c] of Object.entries(commands)) results[name].push(runOnce(c.cmd, c.args, c));
    onRound?.(i + 1);
  }
  return Object.fromEntries(
    Object.entries(results).map(([name, rs]) => [name, { runs: rs, wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), last: rs[rs.length - 1] }]),
  );
}

/** A process's resident set now and its peak so far (VmRSS, VmHWM), in KiB; 0 where unreadable. */
function residentKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Proportional set size: a page shared by n processes counts 1/n in each (0 where unreadable). */
function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function descendants(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(' ').map(Number));
      }
    } catch {
      // the process is gone
    }
  }
  return out;
}

/**
 * Peak memory of one run: `maxRssMb` is the largest single process (what `/usr/bin/time -v`
 * calls "Maximum resident set size": the command's own, or that of a child it waited for where
 * one was larger, as the kernel counts it); `treeRssMb` and `treePssMb` are the largest sums
 * over the process and its children (git) seen by sampling every 20 ms. The RSS sum counts a
 * page shared by several processes (git's mapped pack files, node's own binary) once per
 * process; the PSS sum counts it once in all, so it is the tree's real use. `selfMaxMb` is the
 * command's own peak and `childMaxMb` the largest of any one child's, `childCommand` naming it
 * (`git cat-file`): each a process's high-water mark (VmHWM), read while it runs. The goal is
 * per process, and neither the kernel's maximum nor the tree's sum says which process it is.
 */
export function peakRss(cmd, args, { cwd } = {}) {
  return new Promise((resolve, reject) => {
    const useTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;
    const child = useTime
      ? spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    let tree = 0;
    let treePss = 0;
    let self = 0;
    let childMax = 0;
    let childCommand = '';
    // A child's name as last read at one of its peaks. It is read again at each: a child seen
    // between fork and exec still has node's command line. One that is exiting has lost its
    // command line, while a peak it reached just before is still in its status.
    const names = new Map();
    const timer = setInterval(() => {
      const pids = descendants(child.pid);
      const own = useTime ? pids.slice(1) : pids;
      // Each process's status read once a sample. own[0] is the command itself; the rest are
      // its children.
      let sum = 0;
      let pss = 0;
      own.forEach((p, i) => {
        const { rss, hwm } = residentKb(p);
        sum += rss;
        pss += pssKb(p);
        if (i === 0) {
          self = Math.max(self, hwm);
          return;
        }
        if (hwm > childMax) {
          childMax = hwm;
          const name = commandOf(p);
          if (name) names.set(p, name);
          childCommand = names.get(p) || 'a process that exited before it was named';
        }
      });
      if (sum > tree) tree = sum;
      if (pss > treePss) treePss = pss;
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const lines = err.trim().split('\n');
      // Without /usr/bin/time, the largest of the high-water marks read.
      const max = useTime ? Number(lines[lines.length - 1]) : Math.max(self, childMax);
      resolve({ code, maxRssMb: max / 1024, selfMaxMb: self / 1024, treeRssMb: tree / 1024, treePssMb: treePss / 1024, childMaxMb: childMax / 1024, childCommand });
    });
  });
}

/** git's options whose value is the next word. */
const VALUED = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--config-env']);

/**
 * A process as its program and first word that is not an option (`git cat-file` out of
 * `git -c core.packedGitLimit=128m --no-replace-objects cat-file --batch`); '' once it is gone.
 */
function commandOf(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const program = (argv[0] ?? '').split('/').pop();
    let word = '';
    for (let i = 1; i < argv.length; i++) {
      if (VALUED.has(argv[i])) i++;
      else if (!argv[i].startsWith('-')) {
        word = argv[i];
        break;
      }
    }
    return word ? `${program} ${word}` : program;
  } catch {
    return '';
  }
}
