/**
 * A repository with a long history, written through `git fast-import` (tens of thousands of
 * `git commit` calls would take far too long). The shape is that of a busy application:
 * a main line, short feature branches merged back with merge commits (some with conflicts
 * resolved by hand), a few stale branches never merged, release tags (lightweight and
 * annotated), renames, deletions, binary assets, and a stash entry.
 *
 * Planted tokens, each recorded with the commit that introduces it:
 * - on main, most of them removed again a few commits later (the usual leak-then-fix);
 * - in a file that is renamed afterwards (a rename is not a new leak);
 * - only in a merge commit's conflict resolution (in neither parent);
 * - only on a commit reachable from a tag, never from a branch;
 * - only on a stale, unmerged branch;
 * - in a commit message;
 * - only in the stash.
 *
 * `dense` makes the keyword-dense history the issue asks about (every file passes the keyword
 * gate, so the engine does real work on every version): most source files mention Postmark,
 * `dense.pages` large generated pages (a few hundred KB, Postmark named throughout) are
 * regenerated with small edits in a large share of commits, and `dense.tokenFiles` files each
 * hold a token from the first commit on (each one planted, kind 'dense', and expected at the
 * initial import). Without `dense` the output is byte-for-byte what it was.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXT, binaryFile, jsonConfig, jsonFixture, rng, sourceFile, yamlConfig } from './content.mjs';
import { git } from './tree.mjs';

const AUTHORS = Array.from({ length: 24 }, (_, i) => {
  const first = ['Ana', 'Ben', 'Chloe', 'Dev', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena'][i % 12];
  const last = ['Moreau', 'Okafor', 'Silva', 'Tanaka', 'Weber', 'Young'][i % 6];
  return `${first} ${last} <${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com>`;
});

const SUBJECTS = ['Fix', 'Add', 'Refactor', 'Update', 'Remove', 'Handle', 'Speed up', 'Document', 'Test', 'Rename'];
const LANG_DIRS = { js: 'web', ts: 'web', py: 'worker', go: 'gateway', rb: 'billing', java: 'ledger', php: 'admin', cs: 'reports', md: 'docs' };

function quote(path) {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A small edit to a text file: replace, insert or delete a few lines. */
function edit(r, text, lang) {
  const lines = text.split('\n');
  const at = r.int(0, Math.max(0, lines.length - 2));
  const op = lines.length > 400 ? 'delete' : r.pick(['replace', 'replace', 'insert', 'delete']);
  const fresh = () => sourceFile(r, lang, r.int(150, 700)).split('\n').slice(lang === 'md' ? 2 : 3, -1);
  if (op === 'replace') lines.splice(at, r.int(1, 6), ...fresh());
  else if (op === 'insert') lines.splice(at, 0, ...fresh());
  else lines.splice(at, r.int(1, 8));
  return lines.join('\n');
}

function makeFile(r, n, mention = 0.03) {
  const x = r.next();
  if (x < 0.78) {
    const lang = r.pick(['js', 'ts', 'py', 'go', 'rb', 'java', 'php', 'cs', 'md']);
    return { path: `${LANG_DIRS[lang]}/${r.pick(['src', 'lib', 'test', 'api'])}/m${n}.${EXT[lang]}`, lang, data: sourceFile(r, lang, r.size(3500, 300, 40_000), r.chance(mention)) };
  }
  if (x < 0.86) return { path: `config/${r.pick(['app', 'deploy', 'ci'])}/c${n}.yml`, lang: 'md', data: yamlConfig(r, r.size(1500, 200, 12_000)) };
  if (x < 0.92) return { path: `config/json/c${n}.json`, lang: 'md', data: jsonConfig(r, r.size(1500, 200, 12_000)) };
  if (x < 0.97) return { path: `test/fixtures/f${n}.json`, lang: 'md', data: jsonFixture(r, r.size(5000, 300, 80_000)) };
  return { path: `assets/a${n}.png`, lang: null, data: binaryFile(r, r.size(8000, 500, 60_000)) };
}

/**
 * Writes the repository at `dir` (must not exist). Returns the manifest: counts and the planted
 * tokens with the commits that introduce them (as shas).
 */
/** A generated API reference page: Postmark named on every line, quoted attributes throughout. */
function page(r, n, size) {
  const parts = [`<!doctype html>\n<html><head><title>Postmark client ${n}</title></head><body class="postmark-docs">\n`];
  let len = parts[0].length;
  while (len < size) {
    const name = `${r.pick(['send', 'get', 'create', 'edit', 'delete'])}${r.pick(['Email', 'Bounce', 'Template', 'Server', 'Stream', 'Webhook'])}${r.int(1, 999)}`;
    const p = `<li class="tsd-kind-method tsd-parent-kind-class"><a href="classes/postmark.serverclient.html#${name.toLowerCase()}" class="tsd-kind-icon">${name}</a><span class="tsd-signature-type">Promise&lt;postmark.${name}Response&gt;</span></li>\n`;
    parts.push(p);
    len += p.length;
  }
  parts.push('</body></html>\n');
  return parts.join('');
}

/** A small edit to a page: a few lines replaced at a few places, as a regenerated page changes. */
function editPage(r, text, n) {
  const lines = text.split('\n');
  for (let k = r.int(1, 4); k > 0; k--) lines.splice(r.int(1, lines.length - 2), r.int(1, 3), ...page(r, n, r.int(200, 600)).split('\n').slice(1, -2));
  return lines.join('\n');
}

export async function generateHistory(dir, { commits: target, seed, initialFiles = 1500, dense = null }) {
  const r = rng(seed);
  git('/', ['init', '-q', '-b', 'main', dir]);
  const fi = spawn('git', ['-c', 'gc.auto=0', 'fast-import', '--quiet', `--export-marks=${join(dir, '.git', 'bench-marks')}`], { cwd: dir, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => fi.on('close', (code) => (code === 0 ? res() : rej(new Error(`git fast-import exited ${code}`)))));
  let pending = [];
  let pendingBytes = 0;
  const out = async (s) => {
    pending.push(s);
    pendingBytes += s.length;
    if (pendingBytes > 1 << 20) await flush();
  };
  const flush = async () => {
    const chunk = Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    pending = [];
    pendingBytes = 0;
    if (!fi.stdin.write(chunk)) await new Promise((res) => fi.stdin.once('drain', res));
  };
  const data = async (d) => {
    const b = typeof d === 'string' ? Buffer.from(d) : d;
    await out(`data ${b.length}\n`);
    await out(b);
    await out('\n');
  };

  let mark = 0;
  let time = Date.UTC(2016, 0, 4) / 1000;
  let count = 0;
  const planted = [];
  const files = new Map(); // path -> {data, lang}
  let nextFile = 0;

  /** One commit. `changes`: [{M: path, data} | {D: path} | {R: [from, to]}]. Returns its mark. */
  const commit = async (ref, { from, merges = [], message, changes, author = r.pick(AUTHORS) }) => {
    const m = ++mark;
    time += r.int(300, 6 * 3600);
    await out(`commit ${ref}\nmark :${m}\nauthor ${author} ${time} +0000\ncommitter ${author} ${time} +0000\n`);
    await data(message);
    if (from) await out(`from :${from}\n`);
    for (const p of merges) await out(`merge :${p}\n`);
    for (const c of changes) {
      if (c.D) await out(`D ${quote(c.D)}\n`);
      else if (c.R) await out(`R ${quote(c.R[0])} ${quote(c.R[1])}\n`);
      else {
        await out(`M 100644 inline ${quote(c.M)}\n`);
        await data(c.data);
      }
    }
    await out('\n');
    count++;
    return m;
  };
  const subject = () => `${r.pick(SUBJECTS)} ${r.pick(['cart', 'invoice', 'webhook', 'retry', 'mailer', 'search', 'login', 'export', 'report', 'cache'])} ${r.pick(['handling', 'tests', 'config', 'edge case', 'timeout', 'logging'])}`;

  // Initial import.
  const initial = [];
  const mention = dense ? 0.9 : 0.03;
  for (let i = 0; i < initialFiles; i++) {
    const f = makeFile(r, nextFile++, mention);
    if (files.has(f.path)) continue;
    files.set(f.path, { data: f.data, lang: f.lang });
    initial.push({ M: f.path, data: f.data });
  }
  const pages = [];
  const denseTokens = [];
  if (dense) {
    for (let i = 0; i < dense.pages; i++) {
      const path = `docs/api/page-${i}.html`;
      const data = page(r, i, r.int(dense.pageBytes / 2, dense.pageBytes * 1.5));
      files.set(path, { data, lang: 'page' });
      pages.push(path);
      initial.push({ M: path, data });
    }
    for (let i = 0; i < dense.tokenFiles; i++) {
      const path = `tenants/t${i}/config/postmark.yml`;
      const data = `postmark:\n  server_token: ${r.token()}\n  from: tenant${i}@example.com\n`;
      files.set(path, { data, lang: 'md' });
      denseTokens.push(path);
      initial.push({ M: path, data });
    }
  }
  let main = await commit('refs/heads/main', { message: 'Initial import\n', changes: initial });
  for (const path of denseTokens) planted.push({ kind: 'dense', path, mark: main });

  /** Random everyday changes against a file map (mutated). */
  const everyday = (state, touched) => {
    const changes = [];
    const paths = [...state.keys()];
    const n = r.chance(0.7) ? 1 : r.int(2, 4);
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (dense && pages.length && r.chance(dense.pageEdits)) {
        const p = r.pick(pages);
        const f = state.get(p);
        if (!f) continue;
        const next = editPage(r, f.data, pages.indexOf(p));
        state.set(p, { data: next, lang: f.lang });
        changes.push({ M: p, data: next });
        touched?.add(p);
        continue;
      }
      if (x < 0.04) {
        const f = makeFile(r, nextFile++, mention);
        if (state.has(f.path)) continue;
        state.set(f.path, { data: f.data, lang: f.lang });
        changes.push({ M: f.path, data: f.data });
        touched?.add(f.path);
      } else if (x < 0.05 && paths.length > 200) {
        const p = r.pick(paths);
        if (!state.has(p)) continue;
        state.delete(p);
        changes.push({ D: p });
        touched?.add(p);
      } else if (x < 0.06) {
        const p = r.pick(paths);
        const f = state.get(p);
        if (!f) continue;
        const to = p.replace(/\/([^/]+)$/, `/renamed-${nextFile++}-$1`);
        state.delete(p);
        state.set(to, f);
        changes.push({ R: [p, to] });
        touched?.add(p).add(to);
      } else {
        const p = r.pick(paths);
        const f = state.get(p);
        if (!f) continue;
        const next = f.lang === null ? binaryFile(r, f.data.length) : f.lang === 'page' ? editPage(r, f.data, 0) : edit(r, f.data, f.lang);
        state.set(p, { data: next, lang: f.lang });
        changes.push({ M: p, data: next });
        touched?.add(p);
      }
    }
    return changes;
  };

  const plantAt = new Map([
    [0.1, 'main'],
    [0.2, 'main'],
    [0.3, 'renamed'],
    [0.4, 'merge'],
    [0.5, 'message'],
    [0.6, 'tag'],
    [0.7, 'branch'],
    [0.8, 'main'],
    [0.9, 'main'],
  ]);
  const todo = [...plantAt.entries()];
  let tagNo = 0;
  let feature = 0;
  const removeLater = []; // [commitCountDue, path, restoredText]

  while (count < target) {
    const progress = count / target;
    const plant = todo.length && progress >= todo[0][0] ? todo.shift()[1] : null;

    if (plant === 'main' || plant === 'renamed') {
      const token = r.token();
      const path = plant === 'renamed' ? 'config/mail/smtp.yml' : `services/mailer/config/postmark-${planted.length}.yml`;
      const text = `mail:\n  smtp:\n    host: smtp.postmarkapp.com\n    port: 587\n    username: apikey\n    password: ${token}\n`;
      files.set(path, { data: text, lang: 'md' });
      main = await commit('refs/heads/main', { from: main, message: 'Configure SMTP delivery through Postmark\n', changes: [{ M: path, data: text }] });
      planted.push({ kind: plant, path, mark: main });
      if (plant === 'renamed') {
        const to = 'config/mail/smtp-production.yml';
        files.set(to, files.get(path));
        files.delete(path);
        main = await commit('refs/heads/main', { from: main, message: 'Move SMTP settings\n', changes: [{ R: [path, to] }] });
      } else if (planted.length % 2 === 1) {
        removeLater.push([count + r.int(3, 40), path, text.replace(token, '${POSTMARK_SMTP_PASSWORD}')]);
      }
      continue;
    }
    if (plant === 'message') {
      const token = r.token();
      main = await commit('refs/heads/main', { from: main, message: `Rotate the mail token\n\nOld value, for the record: POSTMARK_SERVER_TOKEN=${token}\n`, changes: everyday(files) });
      planted.push({ kind: 'message', path: '<commit message>', mark: main });
      continue;
    }
    if (plant === 'tag') {
      // A hotfix built on a temporary branch and released by tag only; the branch is deleted.
      const token = r.token();
      const path = 'web/src/hotfix-mailer.js';
      const text = `const postmark = require('postmark');\nmodule.exports = new postmark.ServerClient('${token}');\n`;
      await out(`reset refs/heads/bench-hotfix-tmp\nfrom :${main}\n\n`);
      const m = await commit('refs/heads/bench-hotfix-tmp', { message: 'Hotfix: send receipts\n', changes: [{ M: path, data: text }] });
      await out(`tag v${2 + Math.floor(tagNo / 10)}.${tagNo % 10}.1-hotfix\nfrom :${m}\ntagger ${AUTHORS[0]} ${time} +0000\n`);
      await data('Hotfix release\n');
      planted.push({ kind: 'tag', path, mark: m });
      continue;
    }
    if (plant === 'branch') {
      const token = r.token();
      const path = 'worker/settings/mail.py';
      const text = `ANYMAIL = {\n    "POSTMARK_SERVER_TOKEN": "${token}",\n}\n`;
      await out(`reset refs/heads/spike/anymail\nfrom :${main}\n\n`);
      const m = await commit('refs/heads/spike/anymail', { message: 'Spike: django-anymail\n', changes: [{ M: path, data: text }] });
      await commit('refs/heads/spike/anymail', { from: m, message: 'Spike: more\n', changes: everyday(new Map(files)) });
      planted.push({ kind: 'branch', path, mark: m });
      continue;
    }

    const due = removeLater.findIndex(([at]) => count >= at);
    if (due !== -1) {
      const [, path, text] = removeLater.splice(due, 1)[0];
      files.set(path, { data: text, lang: 'md' });
      main = await commit('refs/heads/main', { from: main, message: 'Read the SMTP password from the environment\n', changes: [{ M: path, data: text }] });
      continue;
    }

    if (plant === 'merge' || r.chance(0.08)) {
      // A feature branch, some main commits meanwhile, then a merge commit.
      const stale = plant !== 'merge' && r.chance(0.03);
      const ref = stale ? `refs/heads/stale/feature-${feature}` : 'refs/heads/bench-feature-tmp';
      feature++;
      const fork = main;
      const branchFiles = new Map(files);
      const onBranch = new Set();
      const onMain = new Set();
      await out(`reset ${ref}\nfrom :${fork}\n\n`);
      let tip = fork;
      const conflictPath = plant === 'merge' ? 'services/mailer/config/delivery.yml' : null;
      if (conflictPath) {
        // Both sides edit the same file; the resolution adds what neither side had.
        const base = 'delivery:\n  provider: postmark\n  retries: 3\n';
        files.set(conflictPath, { data: base, lang: 'md' });
        branchFiles.set(conflictPath, { data: base, lang: 'md' });
        main = await commit('refs/heads/main', { from: main, message: 'Add delivery settings\n', changes: [{ M: conflictPath, data: base }] });
        await out(`reset ${ref}\nfrom :${main}\n\n`);
        tip = main;
        const b = `${base}  timeout: 30\n`;
        branchFiles.set(conflictPath, { data: b, lang: 'md' });
        onBranch.add(conflictPath);
        tip = await commit(ref, { from: tip, message: 'Longer delivery timeout\n', changes: [{ M: conflictPath, data: b }] });
        const mm = `${base}  timeout: 10\n`;
        files.set(conflictPath, { data: mm, lang: 'md' });
        onMain.add(conflictPath);
        main = await commit('refs/heads/main', { from: main, message: 'Shorter delivery timeout\n', changes: [{ M: conflictPath, data: mm }] });
      }
      for (let k = r.int(2, 12); k > 0; k--) tip = await commit(ref, { from: tip, message: `${subject()}\n`, changes: everyday(branchFiles, onBranch) });
      for (let k = r.int(0, 8); k > 0; k--) main = await commit('refs/heads/main', { from: main, message: `${subject()}\n`, changes: everyday(files, onMain) });
      if (stale) continue;
      const changes = [];
      for (const p of onBranch) {
        const b = branchFiles.get(p);
        const a = files.get(p);
        if (p === conflictPath) {
          const token = r.token();
          const text = `delivery:\n  provider: postmark\n  retries: 3\n  timeout: 20\n  server_token: ${token}\n`;
          files.set(p, { data: text, lang: 'md' });
          changes.push({ M: p, data: text });
          planted.push({ kind: 'merge', path: p, token: true });
        } else if (!b) {
          if (a && !onMain.has(p)) {
            files.delete(p);
            changes.push({ D: p });
          }
        } else if (!onMain.has(p) || !a) {
          files.set(p, b);
          changes.push({ M: p, data: b.data });
        } else if (a.lang !== null) {
          // Both sides changed it: the resolution keeps the branch's version plus a line of its own.
          const text = `${b.data}\n${a.lang === 'py' || a.lang === 'rb' ? '#' : '//'} merged: kept ${r.hex(8)}\n`;
          files.set(p, { data: text, lang: a.lang });
          changes.push({ M: p, data: text });
        }
      }
      main = await commit('refs/heads/main', { from: main, merges: [tip], message: `Merge branch 'feature-${feature}'\n`, changes });
      if (plant === 'merge') planted[planted.length - 1].mark = main;
      continue;
    }

    main = await commit('refs/heads/main', { from: main, message: `${subject()}\n`, changes: everyday(files) });
    if (count % 450 === 0) {
      const name = `v${1 + Math.floor(tagNo / 10)}.${tagNo % 10}.0`;
      tagNo++;
      if (tagNo % 2) await out(`reset refs/tags/${name}\nfrom :${main}\n\n`);
      else {
        await out(`tag ${name}\nfrom :${main}\ntagger ${AUTHORS[1]} ${time} +0000\n`);
        await data(`Release ${name}\n`);
      }
    }
  }
  await flush();
  fi.stdin.end();
  await done;

  const marks = new Map(
    readFileSync(join(dir, '.git', 'bench-marks'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([m, sha]) => [Number(m.slice(1)), sha]),
  );
  for (const p of planted) p.commit = marks.get(p.mark);
  git(dir, ['update-ref', '-d', 'refs/heads/bench-feature-tmp']);
  git(dir, ['update-ref', '-d', 'refs/heads/bench-hotfix-tmp']);
  git(dir, ['checkout', '-q', '-f', 'main']);

  // The stash: a change that was set aside and never committed anywhere else.
  const stashPath = 'web/src/local-mail.js';
  writeFileSync(join(dir, stashPath), `const postmark = require('postmark');\nconst client = new postmark.ServerClient('${r.token()}');\n`);
  git(dir, ['add', stashPath]);
  git(dir, ['stash', 'push', '-q', '-m', 'try mail locally']);
  planted.push({ kind: 'stash', path: stashPath, commit: git(dir, ['rev-parse', 'refs/stash']).toString().trim() });

  return { commits: count, planted: planted.map(({ kind, path, commit: c }) => ({ kind, path, commit: c })) };
}
