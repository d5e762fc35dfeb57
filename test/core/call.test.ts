/** The call a value is passed to, and which argument it is. */
import { describe, expect, it } from 'vitest';
import { Document } from '../../src/core/document.js';
import { Site } from '../../src/core/structure/site.js';

function siteOf(text: string, marker: string): Site {
  const start = text.indexOf(marker);
  return new Site(new Document(text), start, start + marker.length);
}

describe('call detection', () => {
  it('reads the header before the innermost parenthesis', () => {
    const s = siteOf('const client = new postmark.ServerClient("TOKEN");', '"TOKEN"');
    expect(s.call).toEqual({ header: 'const client = new postmark.ServerClient', arg: 1 });
    expect(s.argDelimiter).toBe('(');
  });

  it('counts arguments at depth 0 only', () => {
    const text = 'postmark.NewClient(cfg.get("a", "b"), "SECOND")';
    expect(siteOf(text, '"SECOND"').call?.arg).toBe(2);
    expect(siteOf(text, '"SECOND"').argDelimiter).toBe(',');
  });

  it('follows a call whose arguments start on the next line', () => {
    const s = siteOf("export const c = new ServerClient(\n  'TOKEN',\n  { timeout: 30 },\n);", "'TOKEN'");
    expect(s.call?.header).toBe('export const c = new ServerClient');
    expect(s.call?.arg).toBe(1);
    expect(s.argDelimiter).toBe('(');
  });

  it('names the inner call when the value sits in a nested one', () => {
    const s = siteOf("new PostmarkClient(getenv('POSTMARK_TOKEN'))", "'POSTMARK_TOKEN'");
    expect(s.call?.header).toBe('new PostmarkClient(getenv');
  });

  it('has no call inside an object or list literal', () => {
    expect(siteOf("new ServerClient({ token: 'TOKEN' })", "'TOKEN'").call).toBe(null);
    expect(siteOf("client(ENV['TOKEN'])", "'TOKEN'").call).toBe(null);
  });

  it('reads a keyword argument inside the call', () => {
    const s = siteOf("PostmarkClient(server_token='TOKEN')", "'TOKEN'");
    expect(s.key?.key).toBe('server_token');
    expect(s.call?.header).toBe('PostmarkClient');
    expect(s.argDelimiter).toBe('=');
  });
});
