/**
 * One worker thread of test/helpers/in-process.ts: the built CLI's `run()` (dist/, what bin/ loads),
 * called with what bin/ would hand it in a fresh process. Calls come one at a time, so this thread's
 * process.env can be what the process's would be: the git processes the CLI starts inherit it, as
 * they inherit bin/'s.
 */
import { workerData } from 'node:worker_threads';

const { port, flag } = workerData;
const done = new Int32Array(flag);

/** The call being run, answered once: by run()'s result, or by a crash as bin/ would report it. */
let current = null;
function reply(id, result) {
  if (current !== id) return;
  current = null;
  port.postMessage(result);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
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

// A build that cannot load answers every call with exit 2, as bin/ does, instead of leaving the caller waiting.
const { run } = await import(new URL('../../dist/cli/run.js', import.meta.url).href).catch((err) => ({
  run: async () => ({ exitCode: 2, stdout: '', stderr: `secret-guard: internal error (${err && err.name}) (is the package built? run \`npm run build\`): the scan did not complete\n` }),
}));

let calls = 0;
port.on('message', async ({ args, cwd, env, input }) => {
  const id = ++calls;
  current = id;
  for (const k of Object.keys(process.env)) delete process.env[k];
  // As spawn's env option: a key whose value is undefined is left out, not set to 'undefined'.
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
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
  if (late) {
    reply(id, { late });
    return;
  }
  try {
    const r = await run(args, ctx);
    result = { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    // run() maps every error itself; this would be a bug in it, and bin/ would say exit 2 too.
    result = { code: 2, stdout: '', stderr: `secret-guard: internal error (${err && err.name}): the scan did not complete\n` };
  }
  reply(id, result);
});
