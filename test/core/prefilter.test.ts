/** The literal a pattern cannot match without: sound (never more than required), often useful. */
import { describe, expect, it } from 'vitest';
import { requiredLiteral } from '../../src/core/prefilter.js';

describe('requiredLiteral', () => {
  it.each([
    ['X-Postmark-Server-Token\\W{0,4}$', 'x-postmark-server-token'],
    ['process\\.env(\\.|\\[)\\w{0,40}POSTMARK\\w{0,40}\\s*=\\s*$', 'process.env'],
    ['smtp(-broadcasts)?\\.postmarkapp\\.com', '.postmarkapp.com'],
    ['\\bstatic:([0-9A-Fa-f-]{36}:)?$', 'static:'],
    ['(a|b)postmark(c|d)', 'postmark'],
  ])('%s needs %s', (source, literal) => {
    expect(requiredLiteral(source)).toBe(literal);
  });

  it('drops optional atoms and ends runs at repetitions', () => {
    expect(requiredLiteral('abcdx?yz')).toBe('abcd');
    expect(requiredLiteral('abcx*yzw')).toBe('abc');
    expect(requiredLiteral('abc{0,3}defg')).toBe('defg');
    expect(requiredLiteral('abcd+efg')).toBe('abcd');
  });

  it('gives up on top-level alternation, classes and tiny literals', () => {
    expect(requiredLiteral('postmark|sendgrid')).toBe(null);
    expect(requiredLiteral('[postmark]{8}')).toBe(null);
    expect(requiredLiteral('ab\\w+')).toBe(null);
  });

  it('is sound: every string the pattern matches contains the literal', () => {
    const cases: Array<[string, string[]]> = [
      ['(os\\.environ\\.get|getenv)\\(\\s*["\'][\\w.]{0,60}postmark[\\w.]{0,60}(token|key)', ['os.environ.get("POSTMARK_TOKEN"', "getenv('x.postmark.key"]],
      ['Postmark::(Account)?ApiClient\\.new\\s+$', ['Postmark::ApiClient.new ', 'x = Postmark::AccountApiClient.new  ']],
      ['postmark(\\+(api|smtps?))?://([^@\\s/:]{1,200}:)?$', ['MAILER_DSN=postmark+api://', 'postmark://abc:']],
    ];
    for (const [source, samples] of cases) {
      const re = new RegExp(source, 'i');
      const literal = requiredLiteral(source)!;
      for (const s of samples) {
        expect(re.test(s)).toBe(true);
        expect(s.toLowerCase()).toContain(literal);
      }
    }
  });
});
