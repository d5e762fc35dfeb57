/** The engine's contract: prefilter first, contexts decide, paths and patterns are checked. */
import { describe, expect, it } from 'vitest';
import { compileRule, compileRules, detect } from '../../src/core/engine.js';
import { SHAPES } from '../../src/core/shapes.js';
import type { RuleSpec } from '../../src/core/types.js';
import { counted, TOKEN, testRule } from './spec.js';

const spec: RuleSpec = testRule({ id: 'probe', real: 'uuid', contexts: [{ key: 'token' }], exceptPaths: ['**/yarn.lock'] });

describe('detect', () => {
  it('runs no regex of a rule whose keywords are absent from text and path', () => {
    const { rule, runs } = counted(spec);
    expect(detect({ text: `TOKEN=${TOKEN}\n`, path: 'app.env' }, [rule])).toEqual([]);
    expect(runs()).toBe(0);
    expect(detect({ text: `TOKEN=${TOKEN}\n`, path: 'secrets/postmark.env' }, [rule])).toHaveLength(1);
    expect(runs()).toBeGreaterThan(0);
  });

  it('reports a candidate only where a context holds', () => {
    const rules = compileRules([spec]);
    expect(detect({ text: `# postmark\nTOKEN=${TOKEN}\nID=${TOKEN}\n`, path: 'a.env' }, rules).map((f) => f.line)).toEqual([2]);
  });

  it('drops placeholders of a rule with a real-shape check and no placeholder severity', () => {
    const rules = compileRules([spec]);
    expect(detect({ text: '# postmark\nTOKEN=12345678-1234-1234-1234-123456789012\n', path: 'a.env' }, rules)).toEqual([]);
  });

  it('reports a placeholder at the placeholder severity, without a credential kind', () => {
    const rules = compileRules([{ ...spec, credential: 'postmark-server', placeholderSeverity: 'warning' }]);
    const [f] = detect({ text: '# postmark\nTOKEN=00000000-0000-0000-0000-000000000000\n', path: 'a.env' }, rules);
    expect(f).toMatchObject({ severity: 'warning', credential: undefined });
  });

  it('skips the paths a content rule excepts', () => {
    const rules = compileRules([spec]);
    expect(detect({ text: `postmark token: ${TOKEN}\n`, path: 'web/yarn.lock' }, rules)).toEqual([]);
    expect(detect({ text: `postmark token: ${TOKEN}\n`, path: 'yarn.lock' }, rules)).toEqual([]);
    expect(detect({ text: `postmark token: ${TOKEN}\n`, path: 'yarn.lock.txt' }, rules)).toHaveLength(1);
  });

  it('marks a finding allowed inline on its line or the line above, and keeps it', () => {
    const rules = compileRules([spec]);
    const found = detect({ text: `# postmark\n# secret-guard:allow\nTOKEN=${TOKEN}\nTOKEN=${TOKEN.replace('6f', '7a')}\n`, path: 'a.env' }, rules);
    expect(found.map((f) => [f.line, f.suppressedBy])).toEqual([
      [3, 'inline'],
      [4, undefined],
    ]);
  });

  it('keeps only the lines a fragment asks for', () => {
    const rules = compileRules([spec]);
    const found = detect({ text: `# postmark\nTOKEN=${TOKEN}\nTOKEN=${TOKEN.replace('6f', '7a')}\n`, path: 'a.env', lineFilter: (l) => l === 3 }, rules);
    expect(found.map((f) => f.line)).toEqual([3]);
  });

  it('checks the argument position of a call', () => {
    const rules = compileRules([{ ...spec, contexts: [{ call: 'NewClient$', arg: 2 }] }]);
    const text = `postmark.NewClient("${TOKEN}", "${TOKEN.replace('6f', '7a')}")`;
    expect(detect({ text, path: 'main.go' }, rules).map((f) => f.secret)).toEqual([TOKEN.replace('6f', '7a')]);
  });
});

describe('named shapes', () => {
  it('take no SMTP access key for a secret key, even one of the same length', () => {
    const shape = new RegExp(SHAPES['postmark-smtp-secret-key']!, 'g');
    const line = 's.login("PM-T-outbound-Ab3-E5gH7jK9mN1pQ3sT5v", "Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D")';
    expect([...line.matchAll(shape)].map((m) => m.groups!.secret)).toEqual(['Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D']);
  });

  it.each([
    [`new postmark.ServerClient("", { timeout: "30" })`, ['', '30']],
    [`Client('', timeout=30, name='x')`, ['', 'x']],
    ["new ServerClient(``, `x`)", ['', 'x']],
  ])('pair an empty literal with its own closing quote: %s', (line, literals) => {
    const shape = new RegExp(SHAPES.quoted!, 'g');
    expect([...line.matchAll(shape)].map((m) => m.groups!.secret)).toEqual(literals);
  });

  it('report nothing for an empty literal in a client call', () => {
    const rules = compileRules([{ ...spec, keywords: ['postmark'], secret: 'quoted', real: 'uuid', placeholderSeverity: 'warning', contexts: [{ call: 'ServerClient$', firstArg: true }] }]);
    const text = 'const c = new postmark.ServerClient("", { timeout: "30", requestHost: "api.postmarkapp.com" });\n';
    expect(detect({ text, path: 'mail.ts' }, rules)).toEqual([]);
  });
});

describe('custom patterns', () => {
  it('place the secret group exactly, even when its text occurs earlier in the match', () => {
    const rules = compileRules([{ ...spec, keywords: ['acme'], secret: 'acme_(?:ab)?key=(?<secret>ab[0-9]{4})', real: undefined, contexts: [{}] }]);
    const [f] = detect({ text: 'x acme_abkey=ab1234\n', path: 'a.txt' }, rules);
    expect(f).toMatchObject({ secret: 'ab1234', column: 14, endColumn: 20 });
  });
});

describe('compileRule', () => {
  it.each(['(a+)+', '(\\w+\\s?)*x', '(?:x{1,3})+', '(a|b?)*', '([a-z]+\\.)+com', '(a+){2,5}'])('refuses %s, which can backtrack catastrophically', (pattern) => {
    expect(() => compileRule({ ...spec, secret: pattern })).toThrow(/nested repetition/);
    expect(() => compileRule({ ...spec, contexts: [{ scope: pattern }] })).toThrow(/nested repetition/);
  });

  it.each(['(ab)+', '(?:[^\\n]{0,300}\\n){0,8}?', '(x\\s*y)?', '[(a+)+]', '\\(a+\\)+', 'a{2,}b+c*'])('accepts %s', (pattern) => {
    expect(() => compileRule({ ...spec, contexts: [{ scope: pattern }] })).not.toThrow();
  });
});

describe('placeholders', () => {
  // A config that lowers a rule to its placeholder severity once made a placeholder look like a
  // credential: the engine marked placeholders only by the severity differing from the rule's.
  it('marks a placeholder as such, with no credential kind, whatever severity a config gives the rule', () => {
    const base = testRule({ id: 'probe', keywords: ['token'], real: 'uuid', placeholderSeverity: 'warning', credential: 'postmark-server', contexts: [{ key: 'token' }] });
    for (const severity of ['error', 'warning'] as const) {
      const rule = compileRule({ ...base, severity });
      const [stand] = detect({ text: 'TOKEN=00000000-0000-0000-0000-000000000000\n', path: 'app.env' }, [rule]);
      expect(stand).toMatchObject({ severity: 'warning', placeholder: true, credential: undefined });
      const [real] = detect({ text: `TOKEN=${TOKEN}\n`, path: 'app.env' }, [rule]);
      expect(real).toMatchObject({ severity, credential: 'postmark-server' });
      expect(real!.placeholder).toBeUndefined();
    }
  });
});
