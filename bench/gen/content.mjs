/**
 * Deterministic, realistic-looking file contents for the benchmarks: source in several
 * languages, configs, docs, lockfiles, minified bundles and binaries. Seeded, so a tree built
 * twice is byte-identical and timings from different runs describe the same input.
 *
 * The noise is what a scanner of Postmark tokens actually meets: many UUIDs that are not
 * credentials (ids, request ids, GUIDs in fixtures), the word "postmark" next to env references,
 * long single-line bundles. Planted tokens are synthetic and recorded by the callers.
 */

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += HEX[(next() * 16) | 0];
      return s;
    },
    /** A size drawn from a log-normal-ish spread around `median`, clamped. */
    size: (median, lo, hi) => Math.max(lo, Math.min(hi, Math.round(median * Math.exp((next() + next() + next() - 1.5) * 1.6)))),
  };
  r.uuid = () => `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`;
  /** Same shape as test/helpers fakeToken(): synthetic, v4-looking, never a real credential. */
  r.token = () => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`;
  return r;
}

const HEX = '0123456789abcdef';

const WORDS = (
  'user account order invoice payment cart item product customer session token cache queue job worker ' +
  'report export import sync batch event hook message email notice alert config setting feature flag ' +
  'tenant project team member role permission audit log metric trace span request response client server ' +
  'handler service store repo model view controller route schema field record entry index page filter sort ' +
  'price amount currency tax discount coupon address country region shipment carrier label status state'
).split(' ');

const VERBS = 'get set load save find create update delete list build parse render send fetch apply resolve validate format compute merge split'.split(' ');

function camel(r, n = 2) {
  let s = r.pick(VERBS);
  for (let i = 1; i < n; i++) {
    const w = r.pick(WORDS);
    s += w[0].toUpperCase() + w.slice(1);
  }
  return s;
}

function pascal(r, n = 2) {
  let s = '';
  for (let i = 0; i < n; i++) {
    const w = r.pick(WORDS);
    s += w[0].toUpperCase() + w.slice(1);
  }
  return s;
}

const snake = (r, n = 2) => Array.from({ length: n }, () => r.pick(WORDS)).join('_');

function sentence(r, min = 5, max = 14) {
  const n = r.int(min, max);
  const w = Array.from({ length: n }, () => r.pick(WORDS));
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return `${w.join(' ')}.`;
}

/** One block of code (a function, a class, a test case) per language. */
const BLOCKS = {
  js(r) {
    const f = camel(r, 3);
    const a = r.pick(WORDS);
    const b = r.pick(WORDS);
    const lines = [
      `export async function ${f}(${a}, options = {}) {`,
      `  const ${b} = await db.${r.pick(WORDS)}.findOne({ id: ${a}.id, tenant: options.tenant });`,
      `  if (!${b}) throw new NotFoundError(\`${a} \${${a}.id} not found\`);`,
      `  logger.debug('${f}', { ${a}: ${a}.id, took: Date.now() - options.start });`,
    ];
    if (r.chance(0.15)) lines.push(`  // seen in prod: request ${r.uuid()}`);
    if (r.chance(0.1)) lines.push(`  const fallbackId = '${r.uuid()}';`);
    lines.push(`  return { ...${b}, ${r.pick(WORDS)}: ${a}.${r.pick(WORDS)} ?? null };`, '}', '');
    return lines.join('\n');
  },
  ts(r) {
    const I = pascal(r, 2);
    const lines = [`export interface ${I} {`];
    for (let i = r.int(2, 7); i > 0; i--) lines.push(`  ${camel(r, 2)}${r.chance(0.3) ? '?' : ''}: ${r.pick(['string', 'number', 'boolean', `${pascal(r, 1)}[]`, 'Date'])};`);
    lines.push('}', '', `export function ${camel(r, 2)}(input: ${I}): ${I} {`, `  return { ...input };`, '}', '');
    if (r.chance(0.1)) lines.push(`const FIXTURE_ID = '${r.uuid()}';`, '');
    return lines.join('\n');
  },
  py(r) {
    const f = snake(r, 3);
    const lines = [
      `def ${f}(${snake(r, 1)}, *, timeout=${r.int(1, 60)}):`,
      `    """${sentence(r)}"""`,
      `    result = session.query(${pascal(r, 1)}).filter_by(${snake(r, 1)}_id=${snake(r, 1)}.id).first()`,
      `    if result is None:`,
      `        raise LookupError("${sentence(r, 3, 6)}")`,
    ];
    if (r.chance(0.12)) lines.push(`    # trace id ${r.uuid()}`);
    lines.push(`    return result`, '', '');
    return lines.join('\n');
  },
  go(r) {
    const T = pascal(r, 2);
    return [
      `// ${T} ${sentence(r, 4, 9).toLowerCase()}`,
      `func (s *Service) ${T}(ctx context.Context, id string) (*${pascal(r, 1)}, error) {`,
      `\trow := s.db.QueryRowContext(ctx, "SELECT ${snake(r, 1)}, ${snake(r, 1)} FROM ${snake(r, 1)}s WHERE id = $1", id)`,
      `\tvar out ${pascal(r, 1)}`,
      `\tif err := row.Scan(&out.${pascal(r, 1)}, &out.${pascal(r, 1)}); err != nil {`,
      `\t\treturn nil, fmt.Errorf("${camel(r, 2)}: %w", err)`,
      '\t}',
      '\treturn &out, nil',
      '}',
      '',
    ].join('\n');
  },
  rb(r) {
    return [
      `  def ${snake(r, 2)}(${snake(r, 1)})`,
      `    @${snake(r, 1)} ||= ${pascal(r, 1)}.where(${snake(r, 1)}_id: ${snake(r, 1)}.id).order(created_at: :desc).first`,
      `    raise ActiveRecord::RecordNotFound, "${sentence(r, 3, 6)}" unless @${snake(r, 1)}`,
      `    @${snake(r, 1)}`,
      '  end',
      '',
    ].join('\n');
  },
  java(r) {
    const m = camel(r, 2);
    return [
      `    /** ${sentence(r)} */`,
      `    public ${pascal(r, 1)} ${m}(final String id) {`,
      `        final ${pascal(r, 1)} result = repository.findById(id).orElseThrow(() -> new IllegalStateException("${m}: " + id));`,
      `        LOG.info("${m} {} in {} ms", id, System.currentTimeMillis() - started);`,
      '        return result;',
      '    }',
      '',
    ].join('\n');
  },
  php(r) {
    return [
      `    public function ${camel(r, 2)}(Request $request): JsonResponse`,
      '    {',
      `        $${camel(r, 1)} = ${pascal(r, 1)}::query()->where('${snake(r, 1)}_id', $request->input('${snake(r, 1)}'))->firstOrFail();`,
      `        return response()->json(['data' => $${camel(r, 1)}, 'status' => '${r.pick(WORDS)}']);`,
      '    }',
      '',
    ].join('\n');
  },
  cs(r) {
    return [
      `        public async Task<${pascal(r, 1)}> ${pascal(r, 2)}Async(Guid id, CancellationToken ct)`,
      '        {',
      `            var entity = await _context.${pascal(r, 1)}s.FirstOrDefaultAsync(x => x.Id == id, ct);`,
      `            _logger.LogInformation("${pascal(r, 2)} {Id}", id);`,
      '            return entity ?? throw new KeyNotFoundException(id.ToString());',
      '        }',
      '',
    ].join('\n');
  },
  md(r) {
    const lines = [`## ${pascal(r, 2)}`, '', sentence(r, 10, 30), sentence(r, 10, 30), ''];
    if (r.chance(0.3)) lines.push('```bash', `curl -s https://api.example.com/v1/${r.pick(WORDS)}s/${r.uuid()} -H "Authorization: Bearer $API_TOKEN"`, '```', '');
    return lines.join('\n');
  },
};

const HEADERS = {
  js: (r) => `import { db } from '../db/index.js';\nimport { logger } from '../log.js';\nimport { NotFoundError } from '../errors.js';\n\n`,
  ts: (r) => `import type { ${pascal(r, 1)} } from './types.js';\n\n`,
  py: (r) => `"""${sentence(r)}"""\nfrom __future__ import annotations\n\nimport logging\n\nfrom .db import session\nfrom .models import ${pascal(r, 1)}\n\n\n`,
  go: (r) => `package ${r.pick(WORDS)}\n\nimport (\n\t"context"\n\t"fmt"\n)\n\n`,
  rb: (r) => `# frozen_string_literal: true\n\nclass ${pascal(r, 2)}\n`,
  java: (r) => `package com.example.${r.pick(WORDS)};\n\nimport java.util.Optional;\n\npublic final class ${pascal(r, 2)} {\n`,
  php: (r) => `<?php\n\nnamespace App\\Http\\Controllers;\n\nclass ${pascal(r, 2)}Controller extends Controller\n{\n`,
  cs: (r) => `using System;\nusing System.Threading.Tasks;\n\nnamespace Example.${pascal(r, 1)}\n{\n    public class ${pascal(r, 2)}Service\n    {\n`,
  md: (r) => `# ${pascal(r, 2)}\n\n${sentence(r, 10, 25)}\n\n`,
};

const FOOTERS = { rb: 'end\n', java: '}\n', php: '}\n', cs: '    }\n}\n' };

/**
 * Lines that mention Postmark without a secret: how an application that uses Postmark reads
 * its token from configuration. They pass the keyword prefilter, so the engine does real work.
 */
const POSTMARK_MENTIONS = {
  js: (r) => `const mail = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN); // message ${r.uuid()}\n`,
  ts: (r) => `export const postmarkClient = new ServerClient(config.get('postmark.serverToken'));\n`,
  py: (r) => `POSTMARK_SERVER_TOKEN = os.environ["POSTMARK_SERVER_TOKEN"]  # MessageID ${r.uuid()}\n`,
  go: (r) => `\tclient := postmark.NewClient(os.Getenv("POSTMARK_SERVER_TOKEN"), "")\n`,
  rb: (r) => `  config.action_mailer.postmark_settings = { api_token: Rails.application.credentials.postmark_api_token }\n`,
  java: (r) => `        ApiClient client = Postmark.getApiClient(System.getenv("POSTMARK_SERVER_TOKEN"));\n`,
  php: (r) => `        'postmark' => ['token' => env('POSTMARK_TOKEN')], // server id ${r.int(10000, 99999)}\n`,
  cs: (r) => `            var client = new PostmarkClient(_config["Postmark:ServerToken"]);\n`,
  md: (r) => `Set \`POSTMARK_SERVER_TOKEN\` in the environment; the webhook payload carries MessageID \`${r.uuid()}\`.\n\n`,
};

export const LANGS = Object.keys(BLOCKS);
export const EXT = { js: 'js', ts: 'ts', py: 'py', go: 'go', rb: 'rb', java: 'java', php: 'php', cs: 'cs', md: 'md' };

/** A source file of about `size` bytes; `mentionsPostmark` adds a configuration read of the token. */
export function sourceFile(r, lang, size, mentionsPostmark = false) {
  const parts = [HEADERS[lang](r)];
  let len = parts[0].length;
  const mentionAt = mentionsPostmark ? r.next() * size : -1;
  let mentioned = false;
  while (len < size) {
    if (!mentioned && mentionAt >= 0 && len >= mentionAt) {
      parts.push(POSTMARK_MENTIONS[lang](r));
      mentioned = true;
    }
    const b = BLOCKS[lang](r);
    parts.push(b);
    len += b.length;
  }
  if (mentionsPostmark && !mentioned) parts.push(POSTMARK_MENTIONS[lang](r));
  if (FOOTERS[lang]) parts.push(FOOTERS[lang]);
  return parts.join('');
}

/** JSON data fixture: an array of records with UUID ids (db ids, not credentials). */
export function jsonFixture(r, size) {
  const parts = ['[\n'];
  let len = 2;
  let first = true;
  while (len < size) {
    const rec = `${first ? '' : ',\n'}  {"id": "${r.uuid()}", "${r.pick(WORDS)}": "${r.pick(WORDS)}", "${r.pick(WORDS)}Id": "${r.uuid()}", "amount": ${r.int(0, 99999) / 100}, "createdAt": "2023-0${r.int(1, 9)}-1${r.int(0, 9)}T1${r.int(0, 9)}:0${r.int(0, 9)}:00Z"}`;
    first = false;
    parts.push(rec);
    len += rec.length;
  }
  parts.push('\n]\n');
  return parts.join('');
}

export function yamlConfig(r, size) {
  const parts = [];
  let len = 0;
  while (len < size) {
    const s = [`${snake(r, 1)}:`, `  enabled: ${r.chance(0.5)}`, `  ${snake(r, 2)}: ${r.int(1, 5000)}`, `  ${snake(r, 1)}_url: https://${r.pick(WORDS)}.example.com/${r.pick(WORDS)}`, `  ${snake(r, 1)}_id: ${r.chance(0.3) ? r.uuid() : r.int(1, 1e6)}`, ''].join('\n');
    parts.push(s);
    len += s.length;
  }
  return parts.join('');
}

export function jsonConfig(r, size) {
  const parts = ['{\n'];
  let len = 2;
  while (len < size) {
    const s = `  "${camel(r, 2)}": { "enabled": ${r.chance(0.5)}, "limit": ${r.int(1, 1000)}, "endpoint": "https://${r.pick(WORDS)}.example.com" },\n`;
    parts.push(s);
    len += s.length;
  }
  parts.push('  "version": 1\n}\n');
  return parts.join('');
}

/** package-lock-like: long base64 integrity hashes, many names. */
export function lockfile(r, size) {
  const parts = ['{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n'];
  let len = parts[0].length;
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  while (len < size) {
    const name = `${r.pick(WORDS)}-${r.pick(WORDS)}`;
    let integ = '';
    for (let i = 0; i < 86; i++) integ += b64[(r.next() * 64) | 0];
    const s = `    "node_modules/${name}": {\n      "version": "${r.int(0, 9)}.${r.int(0, 30)}.${r.int(0, 20)}",\n      "resolved": "https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz",\n      "integrity": "sha512-${integ}=="\n    },\n`;
    parts.push(s);
    len += s.length;
  }
  parts.push('    "": {}\n  }\n}\n');
  return parts.join('');
}

/**
 * A minified bundle: one very long line. With `postmarkSdk`, it carries what a bundled copy of
 * the Postmark SDK carries (the header name, the API host), the worst case for a scanner that
 * looks for structure around every UUID on the line.
 */
export function minifiedBundle(r, size, postmarkSdk = false) {
  const parts = ['!function(e,t){"object"==typeof exports?module.exports=t():e.app=t()}(this,function(){"use strict";'];
  let len = parts[0].length;
  const ids = 'abcdefghijklmnopqrstuvwxyz';
  while (len < size) {
    const a = ids[(r.next() * 26) | 0];
    const b = ids[(r.next() * 26) | 0];
    let s = `var ${a}${b}=function(${a},${b}){return ${a}&&${a}.${camel(r, 2)}?${a}.${camel(r, 2)}(${b},"${r.pick(WORDS)}"):void 0};`;
    if (r.chance(0.05)) s += `${a}.id="${r.uuid()}";`;
    if (postmarkSdk && r.chance(0.02)) s += `${a}.headers={"X-Postmark-Server-Token":${b}.serverToken,Accept:"application/json"},${a}.host="api.postmarkapp.com";`;
    parts.push(s);
    len += s.length;
  }
  parts.push('return{}});\n');
  return parts.join('');
}

/** A binary: a PNG-like header and random bytes (with NULs, so git and the scanner call it binary). */
export function binaryFile(r, size) {
  const buf = Buffer.allocUnsafe(size);
  const head = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d];
  for (let i = 0; i < size; i++) buf[i] = i < head.length ? head[i] : (r.next() * 256) | 0;
  return buf;
}

/** Where a planted token sits: realistic files from the rules' own examples, one per shape. */
export const PLANTS = [
  { path: 'config/mail.yml', text: (t) => `mail:\n  smtp:\n    host: smtp.postmarkapp.com\n    port: 587\n    enable_starttls: true\n    authentication: plain\n    username: apikey\n    password: ${t}\n`, line: 8 },
  { path: 'services/notify/src/mailer.js', text: (t) => `const postmark = require('postmark');\n\nconst client = new postmark.ServerClient('${t}');\n\nmodule.exports = { client };\n`, line: 3 },
  { path: 'deploy/docker-compose.yml', text: (t) => `services:\n  web:\n    image: shop/web\n    environment:\n      - NODE_ENV=production\n      - POSTMARK_API_TOKEN=${t}\n`, line: 6 },
  { path: 'backend/settings/production.py', text: (t) => `DEBUG = False\nEMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"\nANYMAIL = {\n    "POSTMARK_SERVER_TOKEN": "${t}",\n}\n`, line: 4 },
  { path: 'dotnet/Api/appsettings.Production.json', text: (t) => `{\n  "Logging": { "LogLevel": { "Default": "Warning" } },\n  "Postmark": {\n    "ServerToken": "${t}",\n    "From": "noreply@example.com"\n  }\n}\n`, line: 4 },
  { path: 'docs/ops/sending-test-email.md', text: (t) => `# Sending a test email\n\n\`\`\`bash\ncurl "https://api.postmarkapp.com/email" \\\n  -H "Accept: application/json" \\\n  -H "X-Postmark-Server-Token: ${t}" \\\n  -d '{"From": "a@example.com"}'\n\`\`\`\n`, line: 6 },
  { path: 'laravel/config/services.php', text: (t) => `<?php\n\nreturn [\n    'postmark' => [\n        'token' => '${t}',\n    ],\n];\n`, line: 5 },
  { path: 'k8s/api/deployment.yaml', text: (t) => `spec:\n  containers:\n    - name: api\n      env:\n        - name: POSTMARK_SERVER_TOKEN\n          value: "${t}"\n`, line: 6 },
];
