/** Lines and columns: 1-based, columns in UTF-16 code units, endColumn exclusive, CRLF-safe. */
import { describe, expect, it } from 'vitest';
import { Document } from '../../src/core/document.js';
import { compileRules, detect } from '../../src/core/engine.js';
import { TOKEN, testRule } from './spec.js';

const rule = testRule({ id: 'test-token' });
const rules = compileRules([rule]);
const find = (text: string) => detect({ text, path: 'x.env' }, rules);

describe('Document', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const d = new Document('ab\ncd\n\nef');
    expect(d.position(0)).toEqual({ line: 1, column: 1 });
    expect(d.position(3)).toEqual({ line: 2, column: 1 });
    expect(d.position(7)).toEqual({ line: 4, column: 1 });
    expect(d.lineCount).toBe(4);
  });

  it('gives lines without their CR', () => {
    const d = new Document('a=1\r\nb=2\r\n');
    expect(d.line(0)).toBe('a=1');
    expect(d.line(1)).toBe('b=2');
    expect(d.line(2)).toBe('');
  });
});

describe('finding positions', () => {
  it('is the same with LF and CRLF line ends', () => {
    const lf = find(`A=1\nB=2\nPOSTMARK_TOKEN=${TOKEN}\n`);
    const crlf = find(`A=1\r\nB=2\r\nPOSTMARK_TOKEN=${TOKEN}\r\n`);
    expect(lf).toHaveLength(1);
    expect(crlf.map((f) => [f.line, f.column, f.endLine, f.endColumn])).toEqual(lf.map((f) => [f.line, f.column, f.endLine, f.endColumn]));
    expect(lf[0]).toMatchObject({ line: 3, column: 16, endLine: 3, endColumn: 52 });
  });

  it('counts columns in UTF-16 code units (an emoji is two, é is one)', () => {
    const [f] = find(`# 📬 é\n📬 POSTMARK_TOKEN=${TOKEN}`);
    // 📬 is two code units, the space one, POSTMARK_TOKEN= fifteen: the token starts at 19.
    expect(f).toMatchObject({ line: 2, column: 19, endColumn: 55 });
  });

  it('keeps CRLF files on the right line for the context rules too', () => {
    const text = 'mail:\r\n  smtp:\r\n    host: smtp.postmarkapp.com\r\n    port: 587\r\n    password: ' + TOKEN + '\r\n';
    const [server] = compileRules([
      { ...rule, id: 'smtp', contexts: [{ key: 'password', scope: 'smtp\\.postmarkapp\\.com' }] },
    ]);
    const found = detect({ text, path: 'mail.yml' }, [server!]);
    expect(found.map((f) => [f.line, f.column])).toEqual([[5, 15]]);
  });
});
