/**
 * What a bare node program pays to read the same input before any detection, timed by the bench
 * beside the scan: how much of a ratio to git or ripgrep the platform takes, and how much is ours.
 *
 *   node bench/floor.mjs tree      (in a folder) the files git lists there, tracked and untracked
 *                                   but not ignored, each read, decoded as UTF-8 unless a NUL in
 *                                   its first 8 KiB says binary, and searched for ripgrep's plain
 *                                   UUID pattern with one regex: ripgrep's job, one thread.
 *   node bench/floor.mjs history   (in a repository) every object `git cat-file --batch-all-objects
 *                                   --batch --unordered` gives, each blob that is not binary
 *                                   decoded: reading every version of every file once as text.
 *
 * Prints one line: objects or files, bytes, characters decoded, UUID matches.
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
const SNIFF = 8192;
const isBinary = (buf) => buf.subarray(0, SNIFF).includes(0);

const mode = process.argv[2];
if (mode === 'tree') tree();
else if (mode === 'history') history();
else {
  process.stderr.write('usage: node bench/floor.mjs tree|history\n');
  process.exit(2);
}

function tree() {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], { maxBuffer: 1 << 30 });
  let files = 0;
  let bytes = 0;
  let chars = 0;
  let uuids = 0;
  for (const path of listed.toString('utf8').split('\0')) {
    if (!path) continue;
    let buf;
    try {
      buf = readFileSync(path);
    } catch {
      continue; // deleted but still in the index, or a folder (a submodule)
    }
    files++;
    bytes += buf.length;
    if (isBinary(buf)) continue;
    const text = buf.toString('utf8');
    chars += text.length;
    UUID.lastIndex = 0;
    while (UUID.exec(text)) uuids++;
  }
  console.log(`${files} files, ${bytes} bytes, ${chars} characters decoded, ${uuids} UUIDs`);
}

function history() {
  const git = spawn('git', ['cat-file', '--batch-all-objects', '--batch', '--unordered'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = [];
  let pendingBytes = 0;
  let need = -1; // body bytes (and the newline after them) still to come, or -1 for a header
  let type = '';
  let objects = 0;
  let bytes = 0;
  let chars = 0;
  const take = (n) => {
    const whole = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    const head = whole.subarray(0, n);
    const rest = whole.subarray(n);
    pending = rest.length ? [rest] : [];
    pendingBytes = rest.length;
    return head;
  };
  git.stdout.on('data', (chunk) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    for (;;) {
      if (need < 0) {
        const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [joined];
        const nl = joined.indexOf(10);
        if (nl < 0) return;
        const header = take(nl + 1).toString('latin1');
        const [, t, size] = header.trim().split(' ');
        type = t;
        need = Number(size) + 1;
      }
      if (pendingBytes < need) return;
      const body = take(need).subarray(0, need - 1);
      objects++;
      if (type === 'blob') {
        bytes += body.length;
        if (!isBinary(body)) chars += body.toString('utf8').length;
      }
      need = -1;
    }
  });
  git.on('close', (code) => {
    if (code !== 0) process.exit(code ?? 1);
    console.log(`${objects} objects, ${bytes} blob bytes, ${chars} characters decoded`);
  });
}
