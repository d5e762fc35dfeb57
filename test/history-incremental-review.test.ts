/**
 * Review of history's incremental scan (core/incremental.ts, sources/history-detect.ts): a long
 * file's next version is scanned from the record of the one before, and must find exactly what a
 * scan of the whole version finds. The first case is the smallest history a differential search
 * found missing a token with exit 0 (generated histories of long YAML, INI, .env, JS, HTML,
 * Markdown and JSON files, compared with a build that never keeps a record). The second is that
 * search, small enough to run every time: seeded histories whose oracle is the working-tree scan
 * of each commit. It fails when the carry's changed windows lose their reach (core/incremental.ts
 * changedWindows) or a shape's reach is too short (shapes.ts REACH).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import { seeded, seededToken, type Random } from './helpers/random.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function history(dir: string, threads: string, extra: string[] = []): JsonReport<HistoryFinding> & { code: number } {
  const r = cli(['scan', '--history', '--format', 'json', '--threads', threads, ...extra], dir);
  expect(r.stderr).toBe('');
  return { ...JSON.parse(r.stdout), code: r.code };
}

/** Lines of plain code, enough to make a file the incremental scan keeps a record of (8 KB and more). */
const code = (n: number) => Array.from({ length: n }, (_, i) => `const v${i} = compute(${i}); // step ${i}`).join('\n');

describe('scan --history: a whole-document fact read at one site, changed lines away', () => {
  it("finds `new Client('…')` once an `import { Client } from 'postmark'` is added at the top of the file", () => {
    // postmark.js v1's bare Client counts only where the file takes Client from postmark: a
    // `file` pattern of two alternatives (require or import), each tried only where the document
    // holds its literals. The first version has no `import` anywhere, so that alternative was
    // never tried; the record must still notice that the document now holds it.
    const token = fakeToken();
    const v1 = `// postmark mailer\nconst { Client } = require('pg');\n${code(400)}\nconst c = new Client('${token}');\n`;
    const repo = makeRepo({ files: { 'src/mail.js': v1 }, message: 'mailer on pg' });
    const sha = repo.commit({ 'src/mail.js': `import { Client } from 'postmark';\n${v1}` }, 'client from postmark');
    expect(cli(['scan', '--format', 'json'], repo.dir).code).toBe(1);
    for (const threads of ['1', '2']) {
      const r = history(repo.dir, threads);
      expect(r.code).toBe(1);
      expect(r.findings.map((f) => [f.ruleId, f.file, f.line, f.commit])).toEqual([['postmark-hardcoded-client', 'src/mail.js', 404, sha]]);
    }
  });
});

/**
 * A long file as lines, with how it is written: its encoding, its line ends, its path. Each kind
 * holds tokens whose Postmark-ness depends on text lines away (a section header, a parent key, an
 * object's name, a heading, an import, a sibling setting), which the edits turn on and off.
 */
interface LongFile {
  path: string;
  lines: string[];
  enc: 'utf8' | 'utf8bom' | 'latin1' | 'utf16le';
  eol: '\n' | '\r\n';
  kind: Kind;
}

interface Kind {
  paths: string[];
  /** Lines that name (or stop naming) a context. */
  context: (r: Random) => string;
  token: (r: Random, t: string) => string;
  /** Tokens whose context is a word on their own line (a header name, a DSN's scheme, a client's name). */
  own: (t: string) => string[];
  filler: (r: Random) => string;
  /** How a context line is turned off (or on). */
  flip: [RegExp, string];
}

const uuid = seededToken;

const KINDS: Kind[] = [
  {
    paths: ['config/app.ini', 'settings.cfg'],
    context: (r) => r.pick(['[postmark]', '[mail]', '[section "postmark"]', 'host = smtp.postmarkapp.com']),
    token: (r, t) => r.pick([`token = ${t}`, `password = "${t}"`, `api_key = '${t}'`]),
    own: (t) => [`dsn = postmark+api://${t}@default`],
    filler: (r) => r.pick([`key${r.int(999)} = value${r.int(99)}`, `; note ${r.hex(6)} café`, `timeout = ${r.int(90)}`, '', `[part${r.int(40)}]`]),
    flip: [/postmark/g, 'postfix'],
  },
  {
    paths: ['deploy/values.yaml', 'config/mail.yml'],
    context: (r) => r.pick(['postmark:', 'mail:', '  provider: postmark', '  host: smtp.postmarkapp.com', 'smtp:']),
    token: (r, t) => r.pick([`  api_key: ${t}`, `  token: "${t}"`, `  password: ${t}`, `  user: ${t}`]),
    own: (t) => [`  header: "X-Postmark-Server-Token: ${t}"`, `  dsn: postmark+api://${t}@default`],
    filler: (r) => r.pick([`  opt${r.int(999)}: ${r.int(99)}`, `    nested${r.int(99)}: x${r.hex(4)}`, `# note ${r.hex(8)} café`, '']),
    flip: [/postmark/g, 'postfix'],
  },
  {
    paths: ['src/mail.js', 'lib/mailer.mjs'],
    context: (r) => r.pick([`import { Client } from 'postmark';`, `const { Client } = require('postmark');`, `const { Client } = require('pg'); // not postmark`, '  provider: "postmark",', '  service: "postmark",']),
    token: (r, t) => r.pick([`const c = new Client('${t}');`, `const t = process.env.POSTMARK_TOKEN || '${t}';`, `  token: '${t}',`, `  password: "${t}",`]),
    own: (t) => [`const s = new postmark.ServerClient('${t}');`],
    filler: (r) => r.pick([`const v${r.int(999)} = compute(${r.int(99)}); // é`, `function f${r.int(999)}(a, b) { return a + b; }`, '', `  k${r.int(99)}: ${r.int(9)},`, 'const config = {', '};']),
    flip: [/postmark/g, 'pg'],
  },
  {
    paths: ['docs/setup.md', 'README.md'],
    context: (r) => r.pick(['## Postmark', '# Sending mail with Postmark', '## Mail', 'SMTP Host: smtp.postmarkapp.com']),
    token: (r, t) => r.pick([`token: ${t}`, `- **API Token**: ${t}`, `Server Token: ${t}`, `| POSTMARK_SERVER_TOKEN | ${t} |`]),
    own: (t) => [`    curl -H 'X-Postmark-Server-Token: ${t}'`, `MAILER_DSN=postmark+smtp://${t}@default`],
    filler: (r) => r.pick([`Some prose ${r.hex(8)} about things, café.`, '', `- item ${r.int(99)}`, `## Part ${r.int(30)}`]),
    flip: [/Postmark|postmark/g, 'Postfix'],
  },
  {
    paths: ['deploy/app.env', 'config/settings.env'],
    context: (r) => r.pick(['SMTP_HOST=smtp.postmarkapp.com', 'MAIL_MAILER=postmark', '']),
    token: (r, t) => r.pick([`SMTP_PASSWORD=${t}`, `SMTP_USERNAME=${t}`, `POSTMARK_API_TEST=${t}`, `TOKEN=${t}`]),
    own: (t) => [`MAILER_DSN=postmark+api://${t}@default`, `SMTP_URL=smtp://${t}:${t}@smtp.postmarkapp.com:587`],
    filler: (r) => r.pick([`APP_VAR_${r.int(999)}=${r.hex(8)}`, `# ${r.hex(10)} café`, '']),
    flip: [/postmark/g, 'postfix'],
  },
  {
    paths: ['config/app.json', 'appsettings.json'],
    context: (r) => r.pick(['  "Postmark": {', '  "Mail": {', '    "provider": "postmark",', '  },']),
    token: (r, t) => r.pick([`    "ServerToken": "${t}",`, `    "apiKey": "${t}",`, `    "password": "${t}",`]),
    own: (t) => [`    "dsn": "postmark://${t}@default",`, `    "header": "X-Postmark-Server-Token: ${t}",`],
    filler: (r) => r.pick([`    "opt${r.int(999)}": ${r.int(99)},`, `    "name${r.int(99)}": "${r.hex(6)}",`, `    "id": "${uuid(r)}",`]),
    flip: [/Postmark|postmark/g, 'Postfix'],
  },
];

const tokenLine = (r: Random, kind: Kind) => (r.chance(0.4) ? r.pick(kind.own(uuid(r))) : kind.token(r, uuid(r)));

function longFile(r: Random, kind: Kind, taken: Set<string>): LongFile {
  const lines: string[] = [];
  for (let bytes = 0, target = 9000 + r.int(12000); bytes < target; ) {
    const l = r.chance(0.01) ? kind.context(r) : r.chance(0.015) ? tokenLine(r, kind) : kind.filler(r);
    lines.push(l);
    bytes += l.length + 1;
  }
  let path = r.pick(kind.paths);
  while (taken.has(path)) path = `more/${path}`;
  taken.add(path);
  return { path, lines, enc: 'utf8', eol: '\n', kind };
}

function bytesOf(f: LongFile): Buffer {
  const text = f.lines.join(f.eol) + f.eol;
  if (f.enc === 'latin1') return Buffer.from(text, 'latin1');
  if (f.enc === 'utf8bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
  if (f.enc === 'utf16le') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return Buffer.from(text);
}

/** One edit: most of them change what a token's context is, lines away from it. */
function editFile(f: LongFile, r: Random, taken: Set<string>): void {
  const L = f.lines;
  const contexts = L.flatMap((l, i) => (/postmark|mail|Client|SMTP_HOST|^\s*$/i.test(l) ? [i] : []));
  switch (r.int(15)) {
    case 0:
    case 1: // a context line, anywhere
      L.splice(r.int(L.length + 1), 0, f.kind.context(r));
      break;
    case 2: // a context line near the top, far above most tokens
      L.splice(r.int(Math.max(1, L.length >> 3)), 0, f.kind.context(r));
      break;
    case 3: {
      // a context turned off or on, or removed
      if (!contexts.length) break;
      const i = r.pick(contexts);
      if (r.chance(0.3)) L.splice(i, 1);
      else L[i] = f.kind.flip[0].test(L[i]!) ? L[i]!.replace(f.kind.flip[0], f.kind.flip[1]) : f.kind.context(r);
      f.kind.flip[0].lastIndex = 0;
      break;
    }
    case 4: // a token
      L.splice(r.int(L.length + 1), 0, tokenLine(r, f.kind));
      break;
    case 5: // lines added or deleted
      if (r.chance(0.5)) L.splice(r.int(L.length + 1), 0, ...Array.from({ length: 1 + r.int(80) }, () => f.kind.filler(r)));
      else L.splice(r.int(L.length), 1 + r.int(40));
      break;
    case 6: // cut under the incremental scan's size, or grown back
      if (L.length > 200 && r.chance(0.5)) L.splice(60 + r.int(40));
      else L.push(...Array.from({ length: 200 + r.int(200) }, () => f.kind.filler(r)));
      break;
    case 7:
      f.enc = r.pick(['utf8', 'utf8', 'utf8bom', 'latin1', 'utf16le']);
      break;
    case 8:
      f.eol = f.eol === '\n' ? '\r\n' : '\n';
      break;
    case 9: {
      // a line break inside a quoted token, or two lines joined
      const quoted = L.flatMap((l, i) => (/["'][0-9a-f]{8}-/.test(l) ? [i] : []));
      if (quoted.length && r.chance(0.6)) {
        const i = r.pick(quoted);
        const at = /["'][0-9a-f]{8}-/.exec(L[i]!)!.index + 2 + r.int(30);
        L.splice(i, 1, L[i]!.slice(0, at), L[i]!.slice(at));
      } else if (L.length > 1) {
        const i = r.int(L.length - 1);
        L.splice(i, 2, L[i]! + L[i + 1]!);
      }
      break;
    }
    case 10: {
      // renamed, into a Postmark-named file or out of one, with a small edit
      const ext = f.path.slice(f.path.lastIndexOf('.'));
      const to = `${r.pick(['config/', 'src/', ''])}${r.pick(['postmark', 'mailer', 'Postmark.Sample/appsettings', `postmark_${r.hex(2)}`])}${ext}`;
      if (!taken.has(to)) {
        taken.delete(f.path);
        taken.add(to);
        f.path = to;
      }
      L.splice(r.int(L.length + 1), 0, f.kind.filler(r));
      break;
    }
    case 11:
    case 12:
    case 13: {
      // a word turned into Postmark (or out of it) in place, anywhere
      const words = L.flatMap((l, i) => (l.includes(f.kind.flip[1]) || /postmark/i.test(l) ? [i] : []));
      if (words.length) flipAt(f, r.pick(words), r);
      break;
    }
    default: {
      // characters changed in a line
      const i = r.int(L.length);
      const l = L[i] ?? '';
      L[i] = l.slice(0, r.int(l.length + 1)) + r.pick(['é', 'postmark', '"', "'", '(', ')', '{', '}', ' ', ':', '=', '#', '😀']) + l.slice(r.int(l.length + 1));
    }
  }
}

/**
 * A word turned into Postmark or out of it in place (postfix ↔ postmark): the line keeps the letters
 * they share, so what changed is a few characters inside the word.
 */
function flipAt(f: LongFile, i: number, r: Random): void {
  const [on, off] = f.kind.flip;
  const l = f.lines[i]!;
  f.lines[i] = l.includes(off) && r.chance(0.7) ? l.replace(off, off[0] === 'P' ? 'Postmark' : 'postmark') : l.replace(on, off);
  on.lastIndex = 0;
}

/** flipAt on a token's own line, where the word is its context (`X-Postmark-Server-Token: …`, `postmark+api://…`). */
function toggleOwn(f: LongFile, r: Random): void {
  const own = f.lines.flatMap((l, i) => (/[0-9a-f]{8}-[0-9a-f]{4}/.test(l) && (l.includes(f.kind.flip[1]) || /postmark/i.test(l)) ? [i] : []));
  if (own.length) flipAt(f, r.pick(own), r);
}

/** A content finding as a scan reports it, with the whole secret (--show-secrets). */
interface Seen {
  secret: string;
  ruleId: string;
  file: string;
  line: number;
}

const seen = (f: HistoryFinding | JsonReport['findings'][number]): Seen => ({ secret: f.match, ruleId: f.ruleId, file: f.file, line: f.line });
const key = (f: Seen) => `${f.ruleId} ${f.file}:${f.line} ${f.secret}`;

/**
 * A seeded linear history of long files edited version after version, and what a scan of each
 * commit's tree finds there (the working-tree scan reads every file whole).
 */
function generatedHistory(seed: number, commits: number): { dir: string; shas: string[]; trees: Seen[][] } {
  const r = seeded(seed);
  const taken = new Set<string>();
  const files = Array.from({ length: 4 }, (_, i) => longFile(r, KINDS[(seed + i) % KINDS.length]!, taken));
  const repo = makeRepo();
  const shas: string[] = [];
  const trees: Seen[][] = [];
  let before = new Set<string>();
  for (let c = 0; c < commits; c++) {
    if (c > 0) for (let k = 1 + r.int(4); k > 0; k--) editFile(r.pick(files), r, taken);
    // And most commits turn a token's own-line context off or back on, in place.
    if (c > 0 && r.chance(0.8)) toggleOwn(r.pick(files), r);
    const change: Record<string, Buffer | null> = {};
    for (const p of before) if (!files.some((f) => f.path === p)) change[p] = null;
    for (const f of files) change[f.path] = bytesOf(f);
    shas.push(repo.commit(change, `version ${c}`));
    before = new Set(files.map((f) => f.path));
    const tree = cli(['scan', '--format', 'json', '--show-secrets'], repo.dir);
    expect(tree.code, tree.stderr).toBeLessThan(2);
    trees.push((JSON.parse(tree.stdout) as JsonReport).findings.filter((f) => f.kind === 'content').map(seen));
  }
  return { dir: repo.dir, shas, trees };
}

/** What each commit of a linear history renamed, as the history scan's `git log -M` sees it: new path → old path. */
function renamesOf(dir: string, shas: string[]): Array<Map<string, string>> {
  return shas.map((sha, c) => {
    const out = new Map<string, string>();
    if (c === 0) return out;
    const f = execFileSync('git', ['diff', '--name-status', '-M', '-z', shas[c - 1]!, sha], { cwd: dir, encoding: 'utf8' }).split('\0');
    for (let i = 0; i < f.length - 1; ) {
      if (f[i]!.startsWith('R')) {
        out.set(f[i + 2]!, f[i + 1]!);
        i += 3;
      } else i += 2;
    }
    return out;
  });
}

describe('scan --history finds what a scan of every commit finds, on long files edited version after version', () => {
  // What a history must report, from the trees alone (the history is linear): a secret at a path
  // is introduced by the first commit whose tree finds it there while the parent's tree did not
  // at that path (or at the path it was renamed from), and reported once per secret and path, on
  // the line that commit's tree has it. Seeded: a failure names its seed; SEED=<n> replays one.
  const range = /^(\d+)-(\d+)$/.exec(process.env.SEEDS ?? '');
  const seeds = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : process.env.SEED ? [Number(process.env.SEED)] : [2, 28, 32];
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      const { dir, shas, trees } = generatedHistory(seed, 16);
      const renames = renamesOf(dir, shas);
      const want = new Map<string, string>();
      const reported = new Set<string>();
      trees.forEach((found, c) => {
        for (const f of found) {
          if (reported.has(`${f.secret}\0${f.file}`)) continue;
          const from = renames[c]!.get(f.file) ?? f.file;
          if (c > 0 && trees[c - 1]!.some((t) => t.secret === f.secret && t.file === from)) continue;
          reported.add(`${f.secret}\0${f.file}`);
          want.set(key(f), shas[c]!);
        }
      });
      expect(want.size).toBeGreaterThan(2);
      for (const threads of ['1', '2']) {
        const r = history(dir, threads, ['--show-secrets']);
        const got = new Map(r.findings.filter((f) => f.kind === 'content').map((f) => [key(seen(f)), f.commit]));
        expect(got).toEqual(want);
      }
    });
  }
});
