/**
 * Review of history's incremental scan (core/incremental.ts, sources/history-detect.ts): a long
 * file's next version is scanned from the record of the one before, and must find exactly what a
 * scan of the whole version finds. These cases come from a differential search (generated
 * histories of long YAML, INI, .env, JS, HTML, Markdown and JSON files, each version scanned
 * whole by a build that never keeps a record) and are each the smallest history that showed a
 * token missed with exit 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function history(dir: string, threads: string): JsonReport<HistoryFinding> & { code: number } {
  const r = cli(['scan', '--history', '--format', 'json', '--threads', threads], dir);
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
