/**
 * The incremental scan is `detect`, exactly: chains of random versions of realistic documents
 * (every fixture file, every rule example, generated typedoc-like pages), each version scanned
 * incrementally from the record of the one before and in full, must give equal findings. Edits:
 * lines inserted, deleted and replaced, characters inserted, deleted and replaced, section
 * headers, Postmark keys and blocks added above old tokens, `postmark` mentions added and removed,
 * tokens added and removed, inline allows, renames. A custom rule rides along.
 *
 * Seeded: a failure names its seed; `SEED=<n> npx vitest run test/core/incremental.test.ts` replays it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { detectIncremental, type ScanRecord } from '../../src/core/incremental.js';
import { Document } from '../../src/core/document.js';
import { cleanSegments, unitsOf } from '../../src/core/line-diff.js';
import { SHAPES } from '../../src/core/shapes.js';
import { sectionHeaders } from '../../src/core/structure/sections.js';
import { Site } from '../../src/core/structure/site.js';
import type { RuleSpec } from '../../src/core/types.js';
import { exampleOf } from '../../src/rules/lint.js';
import { runSeed, seeded, type Random } from '../helpers/random.js';
import { ruleSpecs } from '../helpers/rules.mjs';

const custom: RuleSpec = {
  id: 'acme-key',
  title: 'acme',
  description: 'acme',
  fix: 'rotate',
  severity: 'error',
  keywords: ['acme'],
  secret: 'acme_[a-z0-9]{12}',
  contexts: [{}],
  tags: ['custom'],
  examples: [],
};
const specs = ruleSpecs();
const rules = compileRules([...specs, custom]);

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface Doc {
  path: string;
  text: string;
}

const fixtureDocs: Doc[] = readdirSync(FIXTURES)
  .filter((d) => statSync(join(FIXTURES, d)).isDirectory())
  .flatMap((d) =>
    filesUnder(join(FIXTURES, d))
      .filter((f) => !f.endsWith('expected.json'))
      .map((f) => ({ path: relative(join(FIXTURES, d), f), text: readFileSync(f, 'utf8') })),
  );

const exampleDocs: Doc[] = specs.flatMap((s) => [...(s.examples ?? []), ...(s.negativeExamples ?? [])].map((e) => exampleOf(e, 'example.txt')));

const uuid = (rnd: Random) => `${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(3)}-${rnd.pick(['8', '9', 'a', 'b'])}${rnd.hex(3)}-${rnd.hex(12)}`;

/** A typedoc-like page: long lines of markup, `postmark` everywhere, source links with commit ids, a few tokens in examples. */
function htmlPage(rnd: Random): Doc {
  const sha = rnd.hex(40);
  const lines: string[] = ['<!DOCTYPE html><html class="default"><head><meta charSet="utf-8"/><title>ServerClient | postmark</title></head>', '<body><script>document.documentElement.dataset.theme = localStorage.getItem("tsd-theme") || "os"</script>'];
  const n = 20 + rnd.int(60);
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    const k = 1 + rnd.int(6);
    for (let j = 0; j < k; j++) {
      parts.push(
        rnd.pick([
          `<a href="https://github.com/ActiveCampaign/postmark.js/blob/${sha}/src/client/ServerClient.ts#L${rnd.int(900)}" class="tsd-anchor">ServerClient.ts:${rnd.int(900)}</a>`,
          `<span class="tsd-signature-type">"postmark"</span><span class="tsd-signature-symbol">: </span>`,
          `<li class="tsd-description"><code>new postmark.ServerClient("${rnd.chance(0.3) ? uuid(rnd) : 'server-token'}")</code></li>`,
          `<pre><code class="language-js">const client = new ServerClient('${uuid(rnd)}');</code></pre>`,
          `<div class="tsd-comment"><p>Use <code>POSTMARK_SERVER_TOKEN=${rnd.chance(0.5) ? uuid(rnd) : '${TOKEN}'}</code> in your env.</p></div>`,
          `<h3 class="tsd-anchor-link"><span>get${rnd.pick(['Bounces', 'Templates', 'Servers', 'Streams'])}</span></h3>`,
          `<input type="checkbox" id="tsd-filter-${rnd.hex(6)}" name="${rnd.hex(8)}" checked/>`,
          `{"MessageID": "${uuid(rnd)}", "ErrorCode": 0}`,
        ]),
      );
    }
    lines.push(parts.join(rnd.pick(['', ' ', '\n    '])));
  }
  lines.push('</body></html>');
  return { path: rnd.pick(['docs/classes/ServerClient.html', 'docs/index.html', 'postmark-docs.html']), text: lines.join('\n') + '\n' };
}

/** An INI file with long sections: a value's section header can be hundreds of lines above it. */
function iniPage(rnd: Random): Doc {
  const lines: string[] = [];
  for (let sec = 1 + rnd.int(3); sec > 0; sec--) {
    lines.push(rnd.pick(['[postmark]', '[mail]', '[redis]', '[section "x"]']));
    for (let n = rnd.int(700); n > 0; n--) lines.push(rnd.chance(0.02) ? rnd.pick([`token = ${uuid(rnd)}`, `password = "${uuid(rnd)}"`, `api_key = '${uuid(rnd)}'`]) : `key${rnd.int(1000)} = value${rnd.int(100)}`);
  }
  return { path: rnd.pick(['settings.ini', 'config/app.cfg', '.gitconfig']), text: lines.join('\n') + '\n' };
}

/** Calls and blocks split over lines: a bracket opening its own line is named by the line above. */
function codePage(rnd: Random): Doc {
  const blocks: string[] = [];
  for (let n = 2 + rnd.int(8); n > 0; n--) {
    const t = uuid(rnd);
    blocks.push(
      rnd.pick([
        `const client = new postmark.ServerClient\n(\n  "${t}"\n);`,
        `client = PostmarkClient\n(\n    server_token="${t}",\n)`,
        `mailer = Mailer.new(\n  provider: 'postmark',\n  token: '${t}'\n)`,
        `config = {\n  postmark: {\n    ${Array.from({ length: rnd.int(30) }, (_, i) => `opt${i}: ${i},`).join('\n    ')}\n    token: "${t}"\n  },\n  redis: { password: "${uuid(rnd)}" }\n}`,
        `services:\n  mail:\n    provider: postmark\n    settings:\n      api_key: ${t}\n`,
        `smtp = {\n  host: "smtp.postmarkapp.com",\n  user: "${t}",\n  password: "${t}"\n}`,
        `login(\n  "${t}",\n  "${t}"\n)`,
      ]),
    );
  }
  return { path: rnd.pick(['src/mail.ts', 'app/mailer.rb', 'config/mail.yml', 'lib/send.py']), text: blocks.join('\n\n') + '\n' };
}

/** Lines that change a context or a token: what an edit inserts. */
function newLine(rnd: Random): string {
  return rnd.pick([
    '[postmark]',
    '[redis]',
    'postmark:',
    '  postmark:',
    'smtp:',
    '  host: smtp.postmarkapp.com',
    `POSTMARK_SERVER_TOKEN=${uuid(rnd)}`,
    `token: ${uuid(rnd)}`,
    `  token: "${uuid(rnd)}"`,
    `password = "${uuid(rnd)}"`,
    `const client = new postmark.ServerClient("${uuid(rnd)}");`,
    `client = PostmarkClient(server_token="${uuid(rnd)}")`,
    `"apiKey": "${uuid(rnd)}",`,
    '# secret-guard:allow',
    `token = "${uuid(rnd)}" # secret-guard:allow`,
    'provider: postmark',
    'We send mail with Postmark.',
    `acme_${rnd.hex(12)}`,
    'acme',
    '',
    '{',
    '}',
    '(',
    ')',
    'config = {',
    '  mail: {',
    '- name: POSTMARK_API_TOKEN',
    `  value: ${uuid(rnd)}`,
    '| Name | Value |',
    `| POSTMARK_SERVER_TOKEN | ${uuid(rnd)} |`,
    '## Postmark',
    'kind: Secret',
    `PM-T-outbound-${rnd.hex(22).slice(0, 22)}`,
    `process.env.POSTMARK_TOKEN || '${uuid(rnd)}'`,
    'export const x = 1;',
  ]);
}

const CHARS = ['"', "'", '`', '(', ')', '{', '}', '[', ']', ',', ':', '=', '\n', ' ', '  ', '-', 'a', 'f', '0', 'postmark', 'Postmark', 'token', '#', '|', '\t', 'é', '\r\n'];

/** What turns a context on or off when written near a value. */
const NEAR = [
  'X-Postmark-Server-Token: ',
  'postmark://',
  'smtp.postmarkapp.com ',
  '@smtp.postmarkapp.com',
  ' postmark ',
  'postmark',
  'token=',
  'token: ',
  'password: ',
  'new postmark.ServerClient(',
  'PostmarkClient(',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '\n',
  '\n[postmark]\n',
  '\npostmark:\n  ',
  '\n  ',
  '  ',
  '\t',
  '- ',
  '| ',
  ' secret-guard:allow ',
  'static:',
  'process.env.POSTMARK_TOKEN || ',
];

/** Where shapes match: uuids and quoted literals, the values whose verdicts a change near them may flip. */
const VALUE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|["'`][^"'`\n]{0,60}["'`]|PM-T-[\w-]+/gi;

/** An edit near a value: before it on its line or lines above, after it, at its line's end. */
function editNear(text: string, rnd: Random): string | null {
  const values = [...text.matchAll(VALUE)];
  if (!values.length) return null;
  const v = rnd.pick(values);
  const start = v.index!;
  const end = start + v[0].length;
  let at: number;
  switch (rnd.int(5)) {
    case 0:
      at = Math.max(0, start - rnd.int(40));
      break;
    case 1:
      at = Math.max(0, start - rnd.int(600));
      break;
    case 2:
      at = Math.min(text.length, end + rnd.int(400));
      break;
    case 3: {
      const nl = text.indexOf('\n', end);
      at = nl === -1 ? text.length : nl;
      break;
    }
    default: {
      // the start of one of the few lines above
      let ls = text.lastIndexOf('\n', start - 1);
      for (let k = rnd.int(6); k > 0 && ls > 0; k--) ls = text.lastIndexOf('\n', ls - 1);
      at = ls + 1;
    }
  }
  const del = rnd.chance(0.4) ? 1 + rnd.int(rnd.chance(0.5) ? 3 : 30) : 0;
  const ins = rnd.chance(0.8) ? rnd.pick(NEAR) : '';
  return text.slice(0, at) + ins + text.slice(Math.min(text.length, at + del));
}

/** One random edit of `text`. */
function edit(text: string, rnd: Random): string {
  if (rnd.chance(0.5)) {
    const near = editNear(text, rnd);
    if (near !== null) return near;
  }
  const lines = text.split('\n');
  const at = rnd.int(lines.length + 1);
  switch (rnd.int(9)) {
    case 0:
    case 1: // insert lines
      lines.splice(at, 0, ...Array.from({ length: 1 + rnd.int(3) }, () => newLine(rnd)));
      return lines.join('\n');
    case 2: // delete lines
      lines.splice(at, 1 + rnd.int(3));
      return lines.join('\n');
    case 3: // replace a line
      lines.splice(Math.min(at, lines.length - 1), 1, newLine(rnd));
      return lines.join('\n');
    case 4:
    case 5: {
      // characters inserted, deleted or replaced somewhere
      const i = rnd.int(text.length + 1);
      const del = rnd.chance(0.5) ? rnd.int(6) : 0;
      const ins = rnd.chance(0.7) ? rnd.pick(CHARS) : '';
      return text.slice(0, i) + ins + text.slice(i + del);
    }
    case 6: {
      // a token changed in place: hex digits of one, or one removed
      const m = [...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{40}/gi)];
      if (!m.length) return text + newLine(rnd) + '\n';
      const x = rnd.pick(m);
      const by = rnd.chance(0.2) ? 'xxx' : x[0].length === 40 ? rnd.hex(40) : uuid(rnd);
      return text.slice(0, x.index) + by + text.slice(x.index! + x[0].length);
    }
    case 7: {
      // a `postmark` mention removed or added
      const i = text.toLowerCase().indexOf('postmark', rnd.int(text.length));
      if (i !== -1 && rnd.chance(0.6)) return text.slice(0, i) + 'mailer' + text.slice(i + 8);
      const j = rnd.int(text.length + 1);
      return text.slice(0, j) + rnd.pick(['postmark', ' Postmark ', 'postmark.ServerClient(']) + text.slice(j);
    }
    default: {
      // a header or key added well above old tokens
      lines.splice(rnd.int(Math.max(1, lines.length >> 2)), 0, rnd.pick(['[postmark]', 'postmark:', '# Postmark settings', 'mail:', '  postmark:', '[section]']));
      return lines.join('\n');
    }
  }
}

function pickDoc(rnd: Random): Doc {
  const r = rnd.int(13);
  if (r < 4) return rnd.pick(fixtureDocs);
  if (r < 7) return rnd.pick(exampleDocs);
  if (r < 9) return htmlPage(rnd);
  if (r < 11) return iniPage(rnd);
  return codePage(rnd);
}

describe('cleanSegments', () => {
  it('maps every clean character of the old text to the same character of the new', () => {
    const rnd = seeded(7);
    for (let n = 0; n < 300; n++) {
      const a = pickDoc(rnd).text;
      let b = a;
      for (let k = rnd.int(4); k >= 0; k--) b = edit(b, rnd);
      const segs = cleanSegments(unitsOf(a), unitsOf(b))!;
      let last = -1;
      for (const s of segs) {
        expect(s.oldStart).toBeGreaterThanOrEqual(last);
        expect(a.slice(s.oldStart, s.oldEnd)).toBe(b.slice(s.oldStart + s.delta, s.oldEnd + s.delta));
        last = s.oldEnd;
      }
      // An unchanged text is one segment.
      expect(cleanSegments(unitsOf(a), unitsOf(a))).toEqual(a ? [{ oldStart: 0, oldEnd: a.length, delta: 0 }] : []);
    }
  });

  it('narrows a changed line to the characters that changed', () => {
    const a = `${'x'.repeat(500)}${'0'.repeat(40)}${'y'.repeat(500)}\nsame\n`;
    const b = `${'x'.repeat(500)}${'1'.repeat(40)}${'y'.repeat(500)}\nsame\n`;
    expect(cleanSegments(unitsOf(a), unitsOf(b))).toEqual([
      { oldStart: 0, oldEnd: 500, delta: 0 },
      { oldStart: 540, oldEnd: a.length, delta: 0 },
    ]);
  });

  it('keeps every line a shortest edit keeps, diff after diff of any size', () => {
    // Lines deleted and lines inserted, each inserted line new: the longest common subsequence is
    // exactly the old lines not deleted, and a diff that finds it leaves them clean. Large and
    // small diffs alternate, as the diffs of one thread do (myers keeps its steps in memory it
    // reuses).
    const rnd = seeded(11);
    let large = 0;
    for (let n = 0; n < 60; n++) {
      const lines = Array.from({ length: 50 + rnd.int(400) }, (_, i) => `line ${n}.${i} ${'z'.repeat(rnd.int(30))}`);
      const edits = n % 3 === 0 ? 120 + rnd.int(130) : rnd.int(12);
      const kept = new Set(lines.map((_, i) => i));
      const out: string[] = [];
      let inserted = 0;
      for (let i = 0; i < lines.length; i++) {
        if (rnd.int(lines.length) < edits / 2) {
          kept.delete(i);
          continue;
        }
        if (rnd.int(lines.length) < edits / 2) out.push(`new ${n}.${inserted++}`);
        out.push(lines[i]!);
      }
      const a = `${lines.join('\n')}\n`;
      const b = `${out.join('\n')}\n`;
      const segs = cleanSegments(unitsOf(a), unitsOf(b), { maxEdits: 256 });
      if (lines.length - kept.size + inserted > 256) continue;
      expect(segs, `diff ${n}`).not.toBeNull();
      if (lines.length - kept.size + inserted > 64) large++;
      const clean = new Uint8Array(a.length);
      for (const s of segs!) clean.fill(1, s.oldStart, s.oldEnd);
      let at = 0;
      lines.forEach((l, i) => {
        if (kept.has(i)) expect(clean.subarray(at, at + l.length + 1).every((c) => c === 1), `diff ${n}, line ${i}`).toBe(true);
        at += l.length + 1;
      });
    }
    expect(large).toBeGreaterThan(5);
  });

  it('gives up past its edit bound', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`).join('\n');
    expect(cleanSegments(unitsOf(a), unitsOf(b), { maxEdits: 20 })).toBeNull();
    expect(cleanSegments(Buffer.from(a), Buffer.from(b), { maxEdits: 200 })).not.toBeNull();
  });
});

/** What a site answers, read through the accessors in `order`, positions made relative to the match. */
function answers(site: Site, order: readonly string[]): unknown[] {
  return order.map((a) => {
    switch (a) {
      case 'argDelimiter':
        return site.argDelimiter;
      case 'before':
        return site.before;
      case 'after':
        return site.after;
      case 'key':
        return site.key;
      case 'call': {
        const c = site.call;
        return c && { header: c.header, arg: c.arg };
      }
      case 'blocks':
        return site.blocks.map((b) => [b.open - site.start, b.char]);
      default:
        return site.scope;
    }
  });
}

const ACCESSORS = ['argDelimiter', 'before', 'after', 'key', 'call', 'blocks', 'scope'] as const;
const SHAPE_RES = [new RegExp(SHAPES.uuid!, 'g'), new RegExp(SHAPES.quoted!, 'g')];

describe('Site spans', () => {
  it('hold every answer a site gives: text changed outside the span changes none of them', () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const doc = pickDoc(rnd);
      const text = rnd.chance(0.5) ? edit(doc.text, rnd) : doc.text;
      const re = rnd.pick(SHAPE_RES);
      const matches = [...text.matchAll(re)];
      if (!matches.length) continue;
      const m = rnd.pick(matches);
      const order = ACCESSORS.filter(() => rnd.chance(0.4));
      if (!order.length) order.push(rnd.pick(ACCESSORS));
      const old = new Document(text);
      const site = new Site(old, m.index!, m.index! + m[0].length);
      const was = answers(site, order);
      // Edits outside [lo, hi), most of them right at its edges; none before it when it reaches
      // the document's start (-1), none after when it reaches the end (length + 1).
      let t = text;
      let lo = site.lo;
      let hi = site.hi;
      for (let k = 1 + rnd.int(4); k > 0; k--) {
        const ins = rnd.chance(0.7) ? rnd.pick(NEAR) : rnd.chance(0.5) ? newLine(rnd) + '\n' : '';
        const del = rnd.chance(0.5) ? 1 + rnd.int(rnd.chance(0.5) ? 2 : 40) : 0;
        if (rnd.chance(0.5) && lo >= 0) {
          const at = Math.max(0, lo - (rnd.chance(0.5) ? rnd.int(3) : rnd.int(lo + 1)));
          const d = Math.min(del, lo - at);
          t = t.slice(0, at) + ins + t.slice(at + d);
          const shift = ins.length - d;
          lo += shift;
          hi += shift;
        } else if (hi <= t.length) {
          const at = Math.min(t.length, hi + (rnd.chance(0.5) ? rnd.int(3) : rnd.int(t.length - hi + 1)));
          t = t.slice(0, at) + ins + t.slice(at + del);
        }
      }
      const now = new Document(t);
      if ((sectionHeaders(old).length === 0) !== (sectionHeaders(now).length === 0)) continue;
      const shift = lo - site.lo;
      const moved = new Site(now, site.start + shift, site.end + shift);
      expect(answers(moved, order), `seed ${seed}, case ${n}, ${doc.path}, ${order.join(' ')}`).toEqual(was);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('detectIncremental', () => {
  it('finds exactly what detect finds, version after version, and reuses most verdicts', () => {
    const seed = runSeed();
    const rnd = seeded(seed);
    let reused = 0;
    let judged = 0;
    for (let chain = 0; chain < 300; chain++) {
      const doc = pickDoc(rnd);
      let text = doc.text;
      let path = doc.path;
      let record: ScanRecord | undefined;
      for (let v = 0; v < 6; v++) {
        const full = detect({ text, path }, rules);
        // An ASCII text comes as its bytes half the time, as history.ts gives it.
        const ascii = /^[\x00-\x7f]*$/.test(text) && rnd.chance(0.5);
        const inc = detectIncremental({ text, path }, rules, record, ascii ? { units: Buffer.from(text, 'latin1') } : {});
        expect(inc.findings, `seed ${seed}, chain ${chain}, version ${v}, ${path}`).toEqual(full);
        if (v > 0) {
          reused += inc.stats.reused;
          judged += inc.stats.judged;
        }
        record = inc.record;
        const edits = 1 + rnd.int(3);
        for (let k = 0; k < edits; k++) text = edit(text, rnd);
        if (rnd.chance(0.05)) path = rnd.pick(['config/postmark.yml', 'app/settings.py', 'docs/README.md', '.env', 'k8s/secret.yaml']);
      }
    }
    // Not a vacuous pass: most matches of a new version take the old verdict.
    expect(reused).toBeGreaterThan(judged);
  });

  it('sees a section header written hundreds of lines above a token', () => {
    const token = '3d2c7a1e-5b4f-4c8d-9e2a-7f6b5c4d3e2a';
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `key${i} = value${i}`);
    const v1 = ['[postmark]', ...filler(500), `token = ${token}`, ...filler(300)];
    const v2 = [...v1.slice(0, 50), '[redis]', ...v1.slice(50)];
    const first = detectIncremental({ text: v1.join('\n'), path: 'settings.ini' }, rules);
    expect(first.findings.map((f) => f.line)).toEqual([502]);
    const second = detectIncremental({ text: v2.join('\n'), path: 'settings.ini' }, rules, first.record);
    expect(second.findings).toEqual(detect({ text: v2.join('\n'), path: 'settings.ini' }, rules));
    expect(second.findings).toEqual([]);
    // And an edit well below the token leaves its verdict to be reused.
    const v3 = [...v1, 'more = lines'];
    const third = detectIncremental({ text: v3.join('\n'), path: 'settings.ini' }, rules, first.record);
    expect(third.findings).toEqual(first.findings);
    expect(third.stats.judged).toBe(0);
  });

  it('reuses nothing when a whole-document fact changes', () => {
    const token = '3d2c7a1e-5b4f-4c8d-9e2a-7f6b5c4d3e2a';
    const old = `config:\n  token: "${token}"\n`;
    const first = detectIncremental({ text: old, path: 'app.yml' }, rules);
    expect(first.findings).toEqual([]);
    // `postmark` appears: the keyword gate opens; the scope above the token changes nothing local.
    const next = detectIncremental({ text: `# postmark\n${old}`, path: 'app.yml' }, rules, first.record);
    expect(next.stats.full).toBe('rules changed');
    expect(next.findings).toEqual(detect({ text: `# postmark\n${old}`, path: 'app.yml' }, rules));
  });
});
