/** A rule runs its shape only where one of its contexts can hold: file patterns and needed literals decide per document. */
import { describe, expect, it } from 'vitest';
import { compileRule, detect } from '../../src/core/engine.js';
import { requiredLiterals } from '../../src/core/prefilter.js';
import { counted, TOKEN, testRule } from './spec.js';

describe('per-document context gating', () => {
  it('does not run a shape whose every context needs a file pattern the text lacks', () => {
    const { rule, runs } = counted(testRule({ id: 'k8s', real: 'uuid', contexts: [{ key: 'token', file: 'kind:\\s*Secret' }] }));
    expect(detect({ text: `# postmark\ntoken: ${TOKEN}\n`, path: 'a.yml' }, [rule])).toEqual([]);
    expect(runs()).toBe(0);
    expect(detect({ text: `kind: Secret\n# postmark\ntoken: ${TOKEN}\n`, path: 'a.yml' }, [rule])).toHaveLength(1);
    expect(runs()).toBeGreaterThan(0);
  });

  it('judges a context whose literal is absent from the document as not holding, and one whose literal is present as before', () => {
    const spec = testRule({ id: 'hdr', real: 'uuid', contexts: [{ before: 'X-Postmark-Server-Token\\W{0,4}$' }, { key: 'postmark_token' }] });
    const rule = compileRule(spec);
    expect(detect({ text: `postmark\nother: ${TOKEN}\n`, path: 'a.txt' }, [rule])).toEqual([]);
    expect(detect({ text: `postmark\nX-Postmark-Server-Token: ${TOKEN}\n`, path: 'a.txt' }, [rule])).toHaveLength(1);
    expect(detect({ text: `postmark\nPOSTMARK_TOKEN=${TOKEN}\n`, path: 'a.txt' }, [rule])).toHaveLength(1);
    // The literal elsewhere in the document does not make the context hold at a site without it.
    expect(detect({ text: `X-Postmark-Server-Token\nother: ${TOKEN}\n`, path: 'a.txt' }, [rule])).toEqual([]);
  });
});

describe('requiredLiterals', () => {
  it('lists every literal a file pattern needs, and never the bounds of a quantifier', () => {
    const source = 'kind:\\s*Secret\\b[^\\n]{0,100}\\n(?:[^\\n]{0,300}\\n){0,8}?[ \\t]*name:[ \\t]*["\']?[\\w.-]{0,60}postmark';
    expect(requiredLiterals(source)).toEqual(['kind:', 'secret', 'name:', 'postmark']);
    expect(requiredLiterals('[a-z]{100,200}xyz')).toEqual(['xyz']);
    expect(requiredLiterals('a|b')).toBe(null);
  });
});

describe('a key read as words', () => {
  // `**Server Token**:` and `set your server token to` are also read as the key `Server_Token`,
  // which is in no contiguous slice of the text: a literal of the key's pattern that holds the
  // `_` of that join must not gate the context out.
  it('is found by a key pattern whose literal spans the joined words', () => {
    const rule = compileRule(testRule({ id: 'words', keywords: ['token'], real: 'uuid', contexts: [{ key: '^(server|account)_token$' }] }));
    expect(detect({ text: `# Mail\n\n**Server Token**: ${TOKEN}\n`, path: 'SETUP.md' }, [rule])).toHaveLength(1);
    expect(detect({ text: `Set your server token to ${TOKEN} in the dashboard.\n`, path: 'SETUP.md' }, [rule])).toHaveLength(1);
  });
});
