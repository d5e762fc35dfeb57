/**
 * One host of test/helpers/in-process.ts: a long-lived small node process that runs the built CLI's
 * `run()` (dist/, what bin/ loads) for call after call, each given what bin/ would be given in a
 * fresh process: the arguments, the working directory, the whole environment (set as this
 * process's process.env, so the git processes the CLI starts inherit it, as they inherit bin/'s),
 * standard input, and no terminal. Calls come one at a time.
 *
 * Why a process and not a thread of the test worker: every process the CLI starts is a fork of the
 * process that starts it, and a fork costs in proportion to that process's memory. A test worker
 * grows to hundreds of MB over the files it runs; this host stays small, so each of the thousands
 * of git processes the scans start costs a fraction of the system time.
 *
 * Two ways to be reached: with two FIFO paths as arguments (the blocking calls: the test reads the
 * answer with a blocking read, as spawnSync waits), or over node's IPC channel (the async calls).
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';

const [reqPath, resPath] = process.argv.slice(2);

// A build that cannot load answers every call with exit 2, as bin/ does, instead of leaving the caller waiting.
const loaded = import(new URL('../../dist/cli/run.js', import.meta.url).href).catch((err) => ({
  run: async () => ({ exitCode: 2, stdout: '', stderr: `secret-guard: internal error (${err && err.name}) (is the package built? run \`npm run build\`): the scan did not complete\n` }),
}));

let send;
let onJob;
if (reqPath) {
  // The test opens its ends in the same order; each open blocks until the other side's.
  const reqFd = openSync(reqPath, 'r');
  const resFd = openSync(resPath, 'w');
  send = (msg) => {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32LE(body.length, 0);
    body.copy(frame, 4);
    for (let off = 0; off < frame.length; ) off += writeSync(resFd, frame, off);
  };
  let pending = Buffer.alloc(0);
  const stream = createReadStream(null, { fd: reqFd, autoClose: false });
  stream.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const len = pending.readUInt32LE(0);
      if (pending.length < 4 + len) break;
      const job = JSON.parse(pending.subarray(4, 4 + len).toString('utf8'));
      pending = pending.subarray(4 + len);
      onJob(job);
    }
  });
  // The test process is gone (or let go of this host): nothing more will come.
  stream.on('end', () => {
    closeSync(resFd);
    process.exit(0);
  });
} else {
  send = (msg) => process.send(msg);
  process.on('message', (job) => onJob(job));
  process.on('disconnect', () => process.exit(0));
}

/** The call being run, answered once: by run()'s result, or by a crash as bin/ would report it. */
let current = null;
function reply(id, result) {
  if (current !== id) return;
  current = null;
  send({ ...result, rss: process.memoryUsage().rss });
}
/** Like bin/: anything uncaught is exit 2, naming only the error's kind. */
const crashed = (err) => {
  const name = err && err.name ? err.name : 'Error';
  if (current === null) late ??= String(err && err.stack ? err.stack : err);
  reply(current, { code: 2, stdout: '', stderr: `secret-guard: internal error (${name}): the scan did not complete\n` });
};
/** A crash after a call was answered: bin/ would have exited 2 then; the next call fails the test. */
let late = null;
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

const home = process.cwd();
let calls = 0;
onJob = async ({ args, cwd, env, input }) => {
  const id = ++calls;
  const { run } = await loaded;
  current = id;
  if (late) {
    reply(id, { late });
    return;
  }
  for (const k of Object.keys(process.env)) delete process.env[k];
  // As spawn's env option: a key whose value is undefined is left out, not set to 'undefined'.
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  // bin/ starts in the call's directory (run() itself goes by ctx.cwd).
  try {
    process.chdir(cwd);
  } catch {
    process.chdir(home);
  }
  const ctx = {
    cwd,
    env: process.env,
    // bin/ under spawnSync or execFile: pipes, not terminals; standard input is `input` or empty.
    stdoutIsTTY: false,
    stderrIsTTY: false,
    progress: undefined,
    stdin: { isTTY: () => false, read: async () => Buffer.from(input ?? '', 'utf8') },
  };
  let result;
  try {
    const r = await run(args, ctx);
    result = { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    // run() maps every error itself; this would be a bug in it, and bin/ would say exit 2 too.
    result = { code: 2, stdout: '', stderr: `secret-guard: internal error (${err && err.name}): the scan did not complete\n` };
  }
  reply(id, result);
};
