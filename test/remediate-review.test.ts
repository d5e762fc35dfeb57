/**
 * An adversarial differential of `secret-guard remediate` against the real git filter-repo: after
 * the commands remediate prints (the mirror clone and the rewrite, exactly as printed, with the
 * files it wrote), `scan --history` of the rewritten mirror must find none of the secrets that
 * remediate listed, none of the secrets files it listed for removal, and nothing else that fails;
 * the rest of the printed check (the `git log -S/--grep` loop, the tag loop, `git log -- PATHS`)
 * must print nothing. Every planted secret must be listed; the files are 0600 in a 0700 folder;
 * no secret reaches stdout, stderr or ROTATION.md.
 *
 * Cases are drawn from a seed (SEED=n replays one; SEEDS=a-b runs a range): histories that leak
 * synthetic tokens the ways the scanner finds them (.env files committed, deleted, renamed; YAML,
 * JSON, INI, a JS client constructor, a curl line in the docs; commit messages, annotated tag
 * messages, lightweight tags of a blob and of a tree; UTF-16 with and without a byte-order mark,
 * UTF-32; binaries whose ASCII or UTF-16 strings hold a token; a base64 token in a Kubernetes
 * Secret; CRLF files; one token in several files, branches and tags; a token moved between files;
 * git notes, the stash, merge messages, a message that names a token with no Postmark context, a
 * file saved again as UTF-16), with or without an origin to clone the mirror from. Fixed cases pin
 * each defect found (binaries and wide text skipped by --replace-text, refs to blobs and trees
 * skipped by fast-export, names that are not UTF-8, messages without a finding, non-ASCII custom
 * secrets in wide text, files over --max-file-size).
 * Secrets are compared with --show-secrets, inside the test only.
 * Every case that runs the printed rewrite runs once per git filter-repo version it is given
 * (helpers/tools.ts filterRepoCopies), on the same seeds: the plan differs by version, and each
 * plan is made and run with its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { runSeed, seeded, type Random } from './helpers/random.js';
import { cleanupAll, gitIn, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';
import { filterRepoCopies, type FilterRepoCopy } from './helpers/tools.js';
import { runPrinted, stepCommands } from './helpers/printed-steps.js';
import { pathFromBytes } from '../src/sources/git.js';

const FILTER_REPOS = filterRepoCopies('the remediate review (the printed commands run git filter-repo)');

const mirrors: string[] = [];
afterAll(() => {
  cleanupAll();
  for (const d of mirrors) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------- synthetic leaks

const token = (r: Random) => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`;

const utf16 = (s: string, little: boolean) => (little ? Buffer.from(s, 'utf16le') : Buffer.from(s, 'utf16le').swap16());
const utf32 = (s: string, little: boolean) => {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const buf = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (little ? buf.writeUInt32LE(cp, i * 4) : buf.writeUInt32BE(cp, i * 4)));
  return buf;
};
const BOM16LE = Buffer.from([0xff, 0xfe]);
const BOM32LE = Buffer.from([0xff, 0xfe, 0, 0]);

/** A file holding token `t`, and the secret the scanner reports for it (the base64 text for a Kubernetes Secret). */
interface Placed {
  path: string;
  content: string | Buffer;
  secret: string;
}
type Place = (t: string, r: Random) => Placed;

const PLACES: Record<string, Place> = {
  dotenv: (t, r) => ({ path: r.pick(['.env', 'config/.env.production', 'services/api/.env']), content: `# local\nPOSTMARK_SERVER_TOKEN=${t}\nDEBUG=1\n`, secret: t }),
  yaml: (t, r) => ({ path: r.pick(['config/mail.yml', 'config/settings.yaml']), content: `postmark:\n  server_token: ${t}\n  from: ops@example.com\n`, secret: t }),
  json: (t) => ({ path: 'config/postmark.json', content: `{\n  "postmark": {\n    "serverToken": "${t}",\n    "from": "ops@example.com"\n  }\n}\n`, secret: t }),
  ini: (t) => ({ path: 'settings.ini', content: `[postmark]\nserver_token = ${t}\ntimeout = 30\n`, secret: t }),
  js: (t) => ({ path: 'src/mailer.js', content: `const postmark = require('postmark');\nconst client = new postmark.ServerClient('${t}');\nmodule.exports = client;\n`, secret: t }),
  curl: (t) => ({ path: 'docs/sending.md', content: `# Sending\n\n    curl -X POST https://api.postmarkapp.com/email -H "X-Postmark-Server-Token: ${t}" -d @mail.json\n`, secret: t }),
  crlf: (t) => ({ path: 'config/mail.ini', content: `[postmark]\r\nserver_token = ${t}\r\nregion = eu\r\n`, secret: t }),
  utf16leBom: (t) => ({ path: 'win/mail.env.txt', content: Buffer.concat([BOM16LE, utf16(`REGION=eu\r\nPOSTMARK_SERVER_TOKEN=${t}\r\n`, true)]), secret: t }),
  utf16beBare: (t) => ({ path: 'win/mail-be.env.txt', content: utf16(`REGION=eu\nPOSTMARK_SERVER_TOKEN=${t}\n`, false), secret: t }),
  utf32le: (t) => ({ path: 'win/mail32.env.txt', content: Buffer.concat([BOM32LE, utf32(`REGION=eu\nPOSTMARK_SERVER_TOKEN=${t}\n`, true)]), secret: t }),
  binaryAscii: (t) => ({ path: 'bin/app.bin', content: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1]), Buffer.from(`POSTMARK_SERVER_TOKEN=${t}`), Buffer.from([0, 0, 2])]), secret: t }),
  binaryWide: (t) => ({ path: 'bin/Mailer.dll', content: Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 0x0a, 0xff, 0xfe, 1]), utf16(`POSTMARK_SERVER_TOKEN=${t}`, true), Buffer.from([0, 0, 7])]), secret: t }),
  k8s: (t, r) => {
    const b64 = Buffer.from(r.chance(0.5) ? `${t}\n` : t).toString('base64');
    return { path: 'k8s/mailer-secret.yaml', content: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: mailer\ntype: Opaque\ndata:\n  POSTMARK_SERVER_TOKEN: ${b64}\n`, secret: b64 };
  },
};

/** Writes a blob into the repository's object store (no commit holds it) and returns its id. */
function hashObject(repo: Repo, content: string): string {
  return spawnSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: content, encoding: 'utf8' }).stdout.trim();
}

/** A tree (no commit holds it) with one file of `content`, and its id. */
function makeTree(repo: Repo, path: string, content: string): string {
  const blob = hashObject(repo, content);
  return spawnSync('git', ['mktree'], { cwd: repo.dir, input: `100644 blob ${blob}\t${path}\n`, encoding: 'utf8' }).stdout.trim();
}

const messageWith = (t: string) => `Configure mail\n\nPOSTMARK_SERVER_TOKEN=${t}\n`;

interface Built {
  repo: Repo;
  origin?: Repo;
  /** Every secret the history leaks, as the scanner reports it. */
  planted: Set<string>;
  log: string[];
}

/**
 * A random history: a few leaks, each on main or a side branch, then kept, deleted, fixed,
 * renamed or moved to another file; tokens reused across files and branches; messages and tags.
 */
function build(seed: number): Built {
  const r = seeded(seed);
  const repo = makeRepo({ files: { 'README.md': '# shop\n', 'src/index.js': 'console.log("hi");\n' }, message: 'initial' });
  const planted = new Set<string>();
  const log: string[] = [];
  const tokens: string[] = [];
  const fresh = () => {
    const t = tokens.length && r.chance(0.25) ? r.pick(tokens) : token(r);
    tokens.push(t);
    return t;
  };
  const branches = ['main'];
  let tags = 0;
  const leaks = 3 + r.int(5);
  for (let i = 0; i < leaks; i++) {
    // Where: main, an existing branch, or a new one off main.
    const roll = r.int(4);
    const branch = roll === 0 ? `feature/f${i}` : roll === 1 ? r.pick(branches) : 'main';
    if (!branches.includes(branch)) {
      repo.git('checkout', '-q', '-b', branch, 'main');
      branches.push(branch);
    } else repo.git('checkout', '-q', branch);
    const t = fresh();
    const how = r.int(14);
    if (how === 3) {
      repo.git('notes', 'add', '-f', '-m', `deployed with POSTMARK_SERVER_TOKEN=${t}`, 'HEAD');
      planted.add(t);
      log.push(`${branch}: a note`);
      continue;
    }
    if (how === 4) {
      repo.git('tag', '-a', `v1.${tags}`, '-m', `Release\n\nPOSTMARK_SERVER_TOKEN=${t}\n`);
      repo.git('-c', 'advice.nestedTag=false', 'tag', '-a', `v1.${tags}-approved`, '-m', 'approved', `v1.${tags}`);
      tags++;
      planted.add(t);
      log.push(`${branch}: a tag of an annotated tag whose message leaks`);
      continue;
    }
    if (how === 5) {
      const p = PLACES.yaml!(t, r);
      repo.write({ [p.path]: p.content });
      repo.git('add', p.path);
      repo.git('stash', 'push', '-q', '-m', 'wip');
      planted.add(p.secret);
      log.push(`${branch}: stash of ${p.path}`);
      continue;
    }
    if (how === 6 && branch !== 'main') {
      repo.commit({ [`notes/${i}.md`]: 'side\n' }, `side ${i}`);
      repo.git('checkout', '-q', 'main');
      const merged = spawnSync('git', ['merge', '-q', '--no-ff', '-m', `Merge ${branch}\n\nPOSTMARK_SERVER_TOKEN=${t}\n`, branch], { cwd: repo.dir, env: { ...process.env, ...GIT_IDENTITY, HOME: repo.dir } });
      if (merged.status === 0) {
        planted.add(t);
        log.push(`merge of ${branch} whose message leaks`);
      } else repo.git('merge', '--abort'); // the branches changed the same file: no merge this time
      continue;
    }
    if (how === 0 && tokens.length > 1 && r.chance(0.5)) {
      // A message that names an earlier token with no Postmark context: no finding of its own.
      const old = tokens[r.int(tokens.length - 1)]!;
      repo.commit({ 'CHANGELOG.md': `- cleanup ${i}\n` }, `Take ${old} out of the settings`);
      log.push(`${branch}: a message naming an earlier token`);
      continue;
    }
    if (how === 0) {
      repo.commit({ 'CHANGELOG.md': `- mail ${i}\n` }, messageWith(t));
      planted.add(t);
      log.push(`${branch}: commit message`);
      continue;
    }
    if (how === 1) {
      repo.git('tag', '-a', `v0.${tags++}`, '-m', `Release\n\nDeploy with POSTMARK_SERVER_TOKEN=${t}\n`);
      planted.add(t);
      log.push(`${branch}: annotated tag message`);
      continue;
    }
    if (how === 2) {
      const tree = r.chance(0.5);
      const sha = tree ? makeTree(repo, 'deploy.env.sh', `export POSTMARK_SERVER_TOKEN=${t}\n`) : hashObject(repo, `POSTMARK_SERVER_TOKEN=${t}\n`);
      if (r.chance(0.7)) repo.git('tag', `loose-${tags++}`, sha);
      else repo.git('tag', '-a', `loose-${tags++}`, '-m', 'keys', sha);
      planted.add(t);
      log.push(`a tag of a ${tree ? 'tree' : 'blob'}`);
      continue;
    }
    const name = r.pick(Object.keys(PLACES));
    const p = PLACES[name]!(t, r);
    planted.add(p.secret);
    repo.commit({ [p.path]: p.content }, `add ${p.path}`);
    if (r.chance(0.2)) repo.git('tag', `t${tags++}`);
    const after = r.int(6);
    if (after === 1) repo.commit({ [p.path]: null }, `remove ${p.path}`);
    else if (after === 2) repo.commit({ [p.path]: 'POSTMARK_SERVER_TOKEN=${POSTMARK_SERVER_TOKEN}\n' }, `fix ${p.path}`);
    else if (after === 3) {
      const to = p.path.endsWith('.env') ? `${p.path}.old` : `old/${p.path}`;
      repo.commit({ [p.path]: null, [to]: p.content }, `move ${p.path}`);
    } else if (after === 4) {
      // The token moves into another kind of file.
      const q = PLACES[r.pick(['yaml', 'ini', 'js', 'dotenv'])]!(t, r);
      if (q.path !== p.path) {
        planted.add(q.secret);
        repo.commit({ [p.path]: null, [q.path]: q.content }, `move the token to ${q.path}`);
      }
    }
    else if (after === 5 && typeof p.content === 'string') {
      // A Windows tool saves the file again as UTF-16: the same token, now in a blob --replace-text skips.
      repo.commit({ [p.path]: Buffer.concat([BOM16LE, utf16(p.content, true)]) }, `re-save ${p.path}`);
    }
    log.push(`${branch}: ${name} at ${p.path}, then ${['kept', 'deleted', 'fixed', 'renamed', 'moved', 're-saved as UTF-16'][after]}`);
  }
  repo.git('checkout', '-q', 'main');
  const built: Built = { repo, planted, log };
  if (r.chance(0.5)) {
    built.origin = makeRepo({ bare: true });
    repo.git('remote', 'add', 'origin', built.origin.dir);
    repo.git('push', '-q', 'origin', '--all');
    repo.git('push', '-q', 'origin', '--tags');
    log.push('pushed to origin');
  }
  return built;
}

// ---------------------------------------------------------------- running remediate's plan

function scanJson(cwd: string, flags: string[] = []): JsonReport<HistoryFinding> {
  const r = cli(['scan', '--history', '--format', 'json', '--show-secrets', ...flags], cwd);
  if (r.code === 2) throw new Error(`scan --history in ${cwd} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonReport<HistoryFinding>;
}

const commandsOf = (stdout: string, title: string): string[] => stepCommands(stdout, title) ?? [];
/** The printed commands, with `fr` the git filter-repo git runs. */
const bashWith = (fr: FilterRepoCopy) => (cwd: string, commands: string[]) => runPrinted(cwd, [...fr.exportPath, ...commands]);

/** The left sides of an expression file (filter-repo's syntax: split at the last `==>`, `literal:` read). */
function expressions(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(0, l.lastIndexOf('==>')).replace(/^literal:/, ''));
}

interface Outcome {
  stdout: string;
  listed: Set<string>;
  listedPaths: Set<string>;
  /** Findings of the rewritten mirror that remediate had listed. */
  left: HistoryFinding[];
  mirror: string;
}

/** remediate, then its clone and rewrite steps as printed, then a history scan of the mirror: all with `fr`. */
function remediateAndRewrite(fr: FilterRepoCopy, repo: Repo, what: string, flags: string[] = []): Outcome {
  const bash = bashWith(fr);
  const before = scanJson(repo.dir, flags);
  const r = cli(['remediate', ...flags], repo.dir, fr.env);
  expect(r.code, `${what}: remediate exit\n${r.stdout}${r.stderr}`).toBe(before.findings.length ? 1 : 0);
  const out = join(repo.dir, '.git', 'secret-guard', 'remediation');
  // Principle 2: never a secret on the terminal; the files private.
  for (const f of before.findings) {
    if (f.match) {
      expect(r.stdout.includes(f.match), `${what}: stdout prints a secret`).toBe(false);
      expect(r.stderr.includes(f.match), `${what}: stderr prints a secret`).toBe(false);
    }
  }
  if (r.code === 1) {
    expect(statSync(out).mode & 0o777, `${what}: folder mode`).toBe(0o700);
    for (const f of readdirSync(out)) expect(statSync(join(out, f)).mode & 0o777, `${what}: ${f} mode`).toBe(0o600);
  }
  const listed = new Set([...expressions(join(out, 'replacements.txt')), ...expressions(join(out, 'messages.txt'))]);
  if (r.code === 1) {
    // ROTATION.md is for tickets: no secret in it either.
    const rotation = readFileSync(join(out, 'ROTATION.md'), 'utf8');
    for (const secret of listed) expect(rotation.includes(secret), `${what}: ROTATION.md holds a secret`).toBe(false);
  }
  // As the reports name them: a name that is not UTF-8 in its escaped form (pathFromBytes).
  const listedPaths = new Set(readdirSync(out).includes('paths.txt') ? readFileSync(join(out, 'paths.txt'), 'latin1').split('\n').filter(Boolean).map((l) => pathFromBytes(Buffer.from(l.replace(/^literal:/, ''), 'latin1'))) : []);
  const mirror = join(dirname(repo.dir), `${basename(repo.dir)}-rewrite.git`);
  mirrors.push(mirror);
  const steps = [...commandsOf(r.stdout, 'Make a fresh mirror clone'), ...commandsOf(r.stdout, 'Rewrite the mirror')];
  const run = bash(tempDir(), steps);
  expect(run.code, `${what}: the printed clone and rewrite failed:\n${steps.join('\n')}\n${run.out}`).toBe(0);
  const after = scanJson(mirror, flags);
  // The rest of the printed check (the secrets of replacements.txt in no commit's diff or message,
  // no tag message holding one, the secrets files gone): each prints nothing.
  const loops = commandsOf(r.stdout, 'Check the rewritten mirror').filter((c) => !c.includes(' scan --history'));
  const checked = bash(mirror, loops);
  expect(checked, `${what}: the printed check:\n${loops.join('\n')}`).toEqual({ code: 0, out: '' });
  // The printed check also says the scan must exit 0: nothing new may fail in what the rewrite left
  // (a replacement that reads as a token, a context the rewrite made).
  const failing = after.findings.filter((f) => f.severity === 'error' && !f.suppressedBy && !(f.match && listed.has(f.match)) && !(f.kind === 'path' && listedPaths.has(f.file)));
  expect(shown(failing), `${what}: new failing findings in the mirror`).toBe('');
  const left = after.findings.filter((f) => !f.suppressedBy && ((f.kind === 'path' && listedPaths.has(f.file)) || (f.kind !== 'path' && f.match && listed.has(f.match))));
  return { stdout: r.stdout, listed, listedPaths, left, mirror };
}

const shown = (fs: HistoryFinding[]) => fs.map((f) => `${f.file}:${f.line} [${f.ruleId}] ${f.kind} ${f.match ?? ''} refs=${f.holders?.refs.join(',')}`).join('\n');

describe.skipIf(!FILTER_REPOS.length)('remediate, differential: what it lists is gone after its own commands', () => {
  const range = /^(\d+)-(\d+)$/.exec(process.env.SEEDS ?? '');
  const seeds = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : process.env.SEED ? [Number(process.env.SEED)] : [runSeed(), runSeed(), runSeed()];
  for (const fr of FILTER_REPOS) {
    describe(fr.title, () => {
      for (const seed of seeds) {
        it(`seed ${seed}`, () => {
          const b = build(seed);
          const what = `SEED=${seed} (${b.log.join('; ')}), ${fr.title}`;
          const o = remediateAndRewrite(fr, b.repo, what);
          // Everything planted is listed: the scanner found it, and remediate acts on it.
          for (const s of b.planted) expect(o.listed.has(s), `${what}: planted ${s} not listed by remediate`).toBe(true);
          expect(shown(o.left), `${what}: left in the rewritten history`).toBe('');
        });
      }
    });
  }
});

describe.skipIf(!FILTER_REPOS.length)('remediate, fixed cases for the defects the differential found', () => {
  for (const fr of FILTER_REPOS) describe(fr.title, () => fixedCases(fr));
});

function fixedCases(fr: FilterRepoCopy): void {
  const bash = bashWith(fr);
  it('a token in a binary or in UTF-16 or UTF-32 text (a NUL in the first 8 KiB: --replace-text skips the blob) is replaced too, in its encoding', () => {
    const r = seeded(1);
    const repo = makeRepo({ files: { 'README.md': '# shop\n' } });
    const names = ['binaryAscii', 'binaryWide', 'utf16leBom', 'utf16beBare', 'utf32le', 'yaml'];
    const placed = names.map((n) => PLACES[n]!(token(r), r));
    repo.commit(Object.fromEntries(placed.map((p) => [p.path, p.content])), 'add files');
    repo.commit(Object.fromEntries(placed.filter((_, i) => i % 2).map((p) => [p.path, null])), 'remove some');
    const o = remediateAndRewrite(fr, repo, 'binary and wide files');
    for (const p of placed) expect(o.listed.has(p.secret), p.path).toBe(true);
    expect(shown(o.left)).toBe('');
    expect(o.stdout).toMatch(/--blob-callback \S+blob-callback\.py/);
    // The files keep their encoding: the replacement stands where the token stood, in the same form.
    const at = (path: string) => spawnSync('git', ['cat-file', 'blob', `main~1:${path}`], { cwd: o.mirror }).stdout as Buffer;
    expect(at('win/mail.env.txt').subarray(2).toString('utf16le')).toBe('REGION=eu\r\nPOSTMARK_SERVER_TOKEN=***POSTMARK_SERVER_TOKEN_REMOVED***\r\n');
    expect(Buffer.from(at('win/mail-be.env.txt')).swap16().toString('utf16le')).toBe('REGION=eu\nPOSTMARK_SERVER_TOKEN=***POSTMARK_SERVER_TOKEN_REMOVED***\n');
    expect(at('bin/Mailer.dll').includes(utf16('TOKEN=***POSTMARK_SERVER_TOKEN_REMOVED***', true))).toBe(true);
    expect(at('bin/app.bin').includes(Buffer.from('TOKEN=***POSTMARK_SERVER_TOKEN_REMOVED***\0'))).toBe(true);
  });

  it('a file saved again as UTF-16 keeps its token in a blob without a finding of its own: that version is cleaned too', () => {
    const r = seeded(4);
    const t = token(r);
    const repo = makeRepo({ files: { 'README.md': '# shop\n' } });
    const text = `[postmark]\r\nserver_token = ${t}\r\n`;
    repo.commit({ 'config/mail.ini': text }, 'mail settings');
    // A Windows tool saves it again: the finding names the UTF-8 blob, where the token came in.
    repo.commit({ 'config/mail.ini': Buffer.concat([BOM16LE, utf16(`; saved by the tool\r\n${text}`, true)]) }, 'resave');
    const o = remediateAndRewrite(fr, repo, 'a file re-saved as UTF-16');
    expect(o.listed.has(t)).toBe(true);
    expect(shown(o.left)).toBe('');
  });

  it('a secrets file under a name that is not UTF-8 is removed: paths.txt holds its bytes, not its escaped form', () => {
    const r = seeded(5);
    const repo = makeRepo({ files: { 'README.md': '# shop\n' } });
    const dir = Buffer.concat([Buffer.from(`${repo.dir}/caf`), Buffer.from([0xe9])]);
    mkdirSync(dir);
    writeFileSync(Buffer.concat([dir, Buffer.from('/.env')]), `POSTMARK_SERVER_TOKEN=${token(r)}\nDATABASE_URL=postgres://shop:s3cr3t@db/shop\n`);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'settings');
    const o = remediateAndRewrite(fr, repo, 'a Latin-1 folder name');
    expect([...o.listedPaths]).toEqual(['caf\\351/.env']);
    expect(shown(o.left)).toBe('');
    expect(gitIn(o.mirror, ['ls-tree', '-r', '--name-only', 'main'])).toBe('README.md\n');
    // The printed commands that name the file reach it: `git rm --cached` in the code step, and the
    // check's `git log -- PATH` (which prints the commit here, in the original, and nothing in the mirror).
    const check = commandsOf(o.stdout, 'Check the rewritten mirror').at(-1)!;
    expect(bash(repo.dir, [check]).out).toMatch(/^[0-9a-f]+ settings\n$/);
    expect(bash(o.mirror, [check])).toEqual({ code: 0, out: '' });
    const untrack = bash(repo.dir, commandsOf(o.stdout, 'Take the leaks out'));
    expect(untrack.code, untrack.out).toBe(0);
    expect(gitIn(repo.dir, ['ls-files'])).toBe('README.md\n');
  });

  it('a message that names a listed token with no Postmark context (no finding of its own) is cleaned too: the printed check passes', () => {
    const t = token(seeded(6));
    const repo = makeRepo({ files: { 'README.md': '# shop\n', 'config/mail.yml': `postmark:\n  server_token: ${t}\n` } });
    repo.commit({ 'config/mail.yml': 'postmark:\n  server_token: ${POSTMARK_SERVER_TOKEN}\n' }, `Take ${t} out of mail.yml`);
    repo.git('tag', '-a', 'v1', '-m', `Release 1: ${t} is revoked`);
    // remediateAndRewrite runs the printed check loops too: the git log --grep loop printed this commit, secret and all.
    const o = remediateAndRewrite(fr, repo, 'a message naming a token');
    expect(shown(o.left)).toBe('');
    expect(gitIn(o.mirror, ['log', '--all', '--format=%B'])).not.toContain(t);
    expect(gitIn(o.mirror, ['cat-file', '-p', 'v1'])).not.toContain(t);
  });

  it("a custom rule's secret that is not ASCII, in UTF-16 and UTF-32 text, is replaced in that encoding too", () => {
    const config = join(tempDir(), 'secret-guard.yml');
    writeFileSync(
      config,
      ["rules:", "  - id: mail-key", "    pattern: 'MAILKEY-(?<secret>[A-Za-z0-9äöü]{16})'", "    keywords: ['MAILKEY-']", "    examples: ['k = MAILKEY-äbcdefghij012345']", "    negativeExamples: ['k = MAILKEY-short']", ''].join('\n'),
    );
    const [a, b, c] = ['ä1b2c3d4e5f6g7h8', 'ö9i8j7k6l5m4n3o2', 'ü1p2q3r4s5t6u7v8'];
    const repo = makeRepo({ files: { 'README.md': '# shop\n' } });
    repo.commit(
      {
        'win/keys16.txt': Buffer.concat([BOM16LE, utf16(`relay = MAILKEY-${a}\r\n`, true)]),
        'win/keys16be.txt': utf16(`relay = MAILKEY-${b}\n`, false),
        'win/keys32.txt': Buffer.concat([BOM32LE, utf32(`relay = MAILKEY-${c}\n`, true)]),
      },
      'keys',
    );
    const o = remediateAndRewrite(fr, repo, 'non-ASCII custom secrets in wide text', ['--config', config]);
    for (const s of [a, b, c]) expect(o.listed.has(s), s).toBe(true);
    expect(shown(o.left)).toBe('');
    const at = (path: string) => spawnSync('git', ['cat-file', 'blob', `main:${path}`], { cwd: o.mirror }).stdout as Buffer;
    expect(at('win/keys16.txt').subarray(2).toString('utf16le')).toBe('relay = MAILKEY-***MAIL_KEY_REMOVED***\r\n');
  });

  it('a tag of a blob or of a tree that holds a token (git fast-export skips it) is dropped from the mirror and from origin', () => {
    const r = seeded(2);
    const [a, b, c, d] = [token(r), token(r), token(r), token(r)];
    const origin = makeRepo({ bare: true });
    const repo = makeRepo({ files: { 'README.md': '# shop\n', 'config/mail.yml': `postmark:\n  server_token: ${d}\n` } });
    repo.git('tag', 'keys-blob', hashObject(repo, `POSTMARK_SERVER_TOKEN=${a}\n`));
    repo.git('tag', 'keys-tree', makeTree(repo, 'deploy.env.sh', `export POSTMARK_SERVER_TOKEN=${b}\n`));
    repo.git('tag', '-a', 'keys-annotated', '-m', 'keys', hashObject(repo, `POSTMARK_SERVER_TOKEN=${c}\n`));
    // A name holding a UUID is redacted wherever remediate prints it: the deletion must not go by name.
    const e = token(r);
    repo.git('tag', `keys-${token(r)}`, hashObject(repo, `POSTMARK_SERVER_TOKEN=${e}\n`));
    repo.git('tag', 'v1');
    repo.git('remote', 'add', 'origin', origin.dir);
    repo.git('push', '-q', 'origin', 'main', '--tags');
    const o = remediateAndRewrite(fr, repo, 'tags of files');
    for (const s of [a, b, c, d, e]) expect(o.listed.has(s)).toBe(true);
    expect(shown(o.left)).toBe('');
    for (const name of [/refs\/tags\/keys-[0-9a-f]{4}…[,.]/, /refs\/tags\/keys-annotated[,.]/, /refs\/tags\/keys-blob[,.]/, /refs\/tags\/keys-tree[,.]/]) expect(o.stdout).toMatch(name);
    const push = bash(o.mirror, commandsOf(o.stdout, 'Force-push'));
    expect(push.code, push.out).toBe(0);
    expect(gitIn(origin.dir, ['for-each-ref', '--format=%(refname)']).split('\n').filter(Boolean).sort()).toEqual(['refs/heads/main', 'refs/tags/v1']);
    expect(shown(scanJson(origin.dir).findings)).toBe('');
  });
}

describe('remediate fails closed on what it could not read', () => {
  it('a file over --max-file-size that holds a rule keyword: exit 2 instead of "nothing to rotate" unless --on-unread accept, and the check reads with the same flags', () => {
    const r = seeded(3);
    const big = `${'-- filler line\n'.repeat(200)}POSTMARK_SERVER_TOKEN=${token(r)}\n`;
    const repo = makeRepo({ files: { 'README.md': '# shop\n', 'db/dump.sql': big } });
    const refused = cli(['remediate', '--max-file-size', '1kB'], repo.dir);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stdout).not.toMatch(/Nothing to rotate/);
    expect(refused.stderr).toMatch(/not scanned: db\/dump\.sql: .*over --max-file-size/);
    expect(refused.stderr).toMatch(/--on-unread accept/);
    const accepted = cli(['remediate', '--max-file-size', '1kB', '--on-unread', 'accept'], repo.dir);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toMatch(/accepted unread/);
    // With a leak beside it: the leak is remediated (exit 1, as a scan with findings), the file is
    // named, and the printed check scans with the same --max-file-size.
    repo.commit({ 'config/mail.yml': `postmark:\n  server_token: ${token(r)}\n` }, 'mail settings');
    const leak = cli(['remediate', '--max-file-size', '1kB'], repo.dir);
    expect(leak.code, leak.stderr).toBe(1);
    expect(leak.stderr).toMatch(/not scanned: db\/dump\.sql/);
    expect(commandsOf(leak.stdout, 'Check the rewritten mirror')[0]).toMatch(/ scan --history --max-file-size 1kB$/);
  });
});
