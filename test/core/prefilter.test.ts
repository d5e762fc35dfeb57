/** The literal a pattern cannot match without: sound (never more than required), often useful. */
import { describe, expect, it } from 'vitest';
import { alternativesOf, lastCharsOf, LiteralSet, requiredChoices, requiredLiteral } from '../../src/core/prefilter.js';
import { seeded } from '../helpers/random.js';
import { ruleSpecs } from '../helpers/rules.mjs';

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

describe('LiteralSet', () => {
  it('finds each literal a text holds in one pass, as a case-insensitive search of each would', () => {
    const literals = ['postmark', 'postmarkclient', 'process.env', 'smtp', 'pm-t-', 'kind:', 'ark', 'envelope'];
    const set = new LiteralSet(literals);
    const long = '~'.repeat(9000);
    const rand = seeded(12);
    const pieces = ['Postmark', 'POSTMARKCLIENT', 'postmarkclien', 'process.ENV', 'process env', 'SMTP', 'pm-T-', 'kind :', 'KIND:', 'envelop', 'ENVELOPE', ' ', '\n', 'x', 'a', 'r', 'k', 'é', 'İ'];
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const len = rand.int(12);
      for (let i = 0; i < len; i++) text += rand.pick(pieces);
      const expected = literals.filter((l) => new RegExp(l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i').test(text));
      expect([...set.presentIn(text)].sort(), JSON.stringify(text)).toEqual(expected.sort());
      // Past the short-text path: the alternations.
      expect([...set.presentIn(long + text + long)].sort(), JSON.stringify(text)).toEqual(expected.sort());
    }
  });

  it('reports a literal hidden inside a longer one found at the same place', () => {
    const set = new LiteralSet(['postmark', 'postmarkclient', 'client']);
    expect([...set.presentIn('new PostmarkClient(x)')].sort()).toEqual(['client', 'postmark', 'postmarkclient']);
    expect([...set.presentIn(`${'~'.repeat(20000)}new PostmarkClient(x)`)].sort()).toEqual(['client', 'postmark', 'postmarkclient']);
  });
});

describe('alternativesOf', () => {
  it('splits a top-level alternation, inside one wrapping group or bare', () => {
    expect(alternativesOf('(ab|cd)')).toEqual(['ab', 'cd']);
    expect(alternativesOf('(?:ab|c(d|e))')).toEqual(['ab', 'c(d|e)']);
    expect(alternativesOf('ab|[|]c|\\|d')).toEqual(['ab', '[|]c', '\\|d']);
    expect(alternativesOf('(a|b)c|d')).toEqual(['(a|b)c', 'd']);
    expect(alternativesOf('(a|b)(c|d)')).toEqual(['(a|b)(c|d)']);
    expect(alternativesOf('(?<q>a|b)')).toEqual(['(?<q>a|b)']);
    expect(alternativesOf("(['\"])x|y\\1")).toEqual(["(['\"])x|y\\1"]);
  });

  it('is sound: a text matches the pattern exactly when it matches one alternative', () => {
    const sources = [
      '(\\bClient\\b[^;\\n]{0,80}require\\(\\s*[\'"]postmark[\'"]|import\\s*\\{[^}]{0,80}\\bClient\\b[^}]{0,80}\\}\\s*from\\s*[\'"]postmark[\'"])',
      '(a|b)c|d',
      '^(ab|c)$',
      '(?:x|y[)|])z|w',
      'kind:\\s*Secret',
    ];
    const rand = seeded(5);
    const pieces = ['Client', 'client', ' ', 'require(', "'postmark'", '"postmark"', 'import {', '}', 'from', ';', '\n', 'a', 'b', 'c', 'd', 'x', 'y', ')', '|', 'z', 'w', 'kind:', 'Secret'];
    const wrong: string[] = [];
    for (const source of sources) {
      const whole = new RegExp(source, 'i');
      const parts = alternativesOf(source).map((a) => new RegExp(a, 'i'));
      for (let n = 0; n < 3000; n++) {
        let text = '';
        for (let i = rand.int(10); i > 0; i--) text += rand.pick(pieces);
        if (parts.some((p) => p.test(text)) !== whole.test(text)) wrong.push(`${source} on ${JSON.stringify(text)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** `count` texts, each up to `most` of `pieces` joined, drawn with `seed`. */
function* joined(pieces: string[], seed: number, count: number, most: number): Generator<string> {
  const rand = seeded(seed);
  for (let n = 0; n < count; n++) {
    let w = '';
    for (let i = rand.int(most); i > 0; i--) w += rand.pick(pieces);
    yield w;
  }
}

describe('lastCharsOf', () => {
  const lastNonBlank = (t: string) => t.trimEnd().slice(-1);

  it('reads the character a pattern anchored at the end must end with', () => {
    expect([...lastCharsOf('a,\\s*$', true)!]).toEqual([',']);
    expect([...lastCharsOf('(\\|\\||\\bor\\b)=?\\s*$', true)!].sort()).toEqual(['=', 'R', 'r', '|']);
    expect(lastCharsOf('a\\W{0,4}$', true)).toBe(null);
    expect(lastCharsOf('[a-z]$', true)).toBe(null);
    expect(lastCharsOf('a[ \\t]+$', true)).toBe(null);
    expect(lastCharsOf('a,\\s*', true)).toBe(null);
    expect(lastCharsOf('^\\s*$', true)).toBe(null);
    expect(lastCharsOf('(a|)$', true)).toBe(null);
  });

  it('is sound on every before pattern of the shipped rules: a window it rules out never matches', () => {
    const patterns = ruleSpecs().flatMap((r) => (r.contexts ?? []).flatMap((c) => [c.before, c.after].filter((p): p is string => p !== undefined)));
    const withSet = patterns.map((p) => ({ re: new RegExp(p, 'i'), last: lastCharsOf(p, true) })).filter((p) => p.last);
    expect(withSet.length).toBeGreaterThan(8);
    // Pieces of the patterns' own vocabulary, so that many windows do match.
    const pieces = ['process.env.', 'POSTMARK_TOKEN', 'os.environ.get(', 'getenv(', 'ENV[', 'ENV.fetch(', "'", '"', ']', ')', ' ', '\t', '||', '??', '?:', ' or ', '=', ',', '{', ':', '/', 'postmark://', 'static:', 'Postmark::ApiClient.new', '(', 'setenv(', 'key', '\u00a0', 'x'];
    let matched = 0;
    const wrong: string[] = [];
    for (const w of joined(pieces, 9, 40000, 8)) {
      for (const { re, last } of withSet) {
        if (!re.test(w)) continue;
        matched++;
        if (!last!.has(lastNonBlank(w))) wrong.push(`${re.source} on ${JSON.stringify(w)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(matched).toBeGreaterThan(200);
  });
});

describe('requiredChoices', () => {
  it('lists the literals a match needs, one of each choice', () => {
    expect(requiredChoices('(process\\.env(\\.|\\[)|(os\\.environ|ENV)\\[)\\w{0,40}POSTMARK\\s*=\\s*$')).toEqual([['process.env', 'os.environ', 'env'], ['postmark']]);
    expect(requiredChoices('x(abc|abd)+y')).toEqual([['abc', 'abd']]);
    expect(requiredChoices('(abc|d)x')).toEqual([]);
    expect(requiredChoices('abc(?!def)ghi')).toEqual([['abc'], ['ghi']]);
    expect(requiredChoices('ab+cd')).toEqual([]);
    expect(requiredChoices('abc+d')).toEqual([['abc']]);
  });

  it('is sound on every pattern of the shipped rules: a text it rules out never matches', () => {
    const patterns = ruleSpecs().flatMap((r) => (r.contexts ?? []).flatMap((c) => [c.before, c.after, c.call, c.key, c.scope].filter((p): p is string => p !== undefined)));
    const checked = patterns.map((p) => ({ re: new RegExp(p, 'i'), choices: requiredChoices(p) })).filter((p) => p.choices?.length);
    expect(checked.length).toBeGreaterThan(10);
    const pieces = ['process.env.', 'process.env[', 'os.environ', 'POSTMARK_TOKEN', 'POSTMARK_KEY', 'getenv(', 'ENV[', 'ENV.fetch(', "'", '"', ']', ')', ' ', '||', '??', '=', ',', '{', ':', '(', 'setenv(', 'new ', 'postmark.', 'ServerClient', 'Client', 'require(', 'server_token', 'smtp.postmarkapp.com', 'x'];
    let matched = 0;
    for (const w of joined(pieces, 21, 40000, 9)) {
      const lower = w.toLowerCase();
      for (const { re, choices } of checked) {
        if (!re.test(w)) continue;
        matched++;
        for (const any of choices!) expect(any.some((l) => lower.includes(l)), `${re.source} on ${JSON.stringify(w)}: ${any.join('|')}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(200);
  });
});
