/** When several rules claim the same secret, the most specific one reports it, once. */
import { describe, expect, it } from 'vitest';
import { compileRules, detect, resolveOverlaps } from '../../src/core/engine.js';
import type { RuleSpec } from '../../src/core/types.js';
import { testRule } from './spec.js';

const span = (start: number, end: number, priority: number, id = `p${priority}@${start}`) => ({ start, end, rule: { priority }, id });

describe('resolveOverlaps', () => {
  it('keeps the highest priority of identical spans', () => {
    expect(resolveOverlaps([span(5, 41, 10), span(5, 41, 30), span(5, 41, 20)]).map((c) => c.rule.priority)).toEqual([30]);
  });

  it('keeps the earlier span at equal priority and non-overlapping spans all', () => {
    expect(resolveOverlaps([span(10, 20, 5), span(0, 12, 5), span(30, 40, 5)]).map((c) => c.id)).toEqual(['p5@0', 'p5@30']);
  });

  it('settles a chain of overlaps so a winner in the middle frees both ends', () => {
    const kept = resolveOverlaps([span(0, 10, 1), span(8, 18, 9), span(16, 26, 1)]);
    expect(kept.map((c) => c.id)).toEqual(['p9@8']);
    const kept2 = resolveOverlaps([span(0, 10, 9), span(8, 18, 1), span(16, 26, 9)]);
    expect(kept2.map((c) => c.id)).toEqual(['p9@0', 'p9@16']);
  });

  it('handles many candidates in text order', () => {
    const many = Array.from({ length: 5000 }, (_, i) => span(i * 40, i * 40 + 36, i % 3));
    expect(resolveOverlaps(many.reverse())).toHaveLength(5000);
  });
});

const specs: RuleSpec[] = [testRule({ id: 'server', priority: 10 }), testRule({ id: 'account', priority: 30, contexts: [{ key: 'account' }] })];

describe('overlaps in detect', () => {
  it('reports an account token once, as the account rule', () => {
    const found = detect({ text: 'POSTMARK_ACCOUNT_TOKEN=4b1f8d2c-7e3a-4c6b-9d05-e8a1f2b3c4d7\n', path: '.env' }, compileRules(specs));
    expect(found.map((f) => f.ruleId)).toEqual(['account']);
  });

  it('does not depend on the order rules are given in', () => {
    const found = detect({ text: 'POSTMARK_ACCOUNT_TOKEN=4b1f8d2c-7e3a-4c6b-9d05-e8a1f2b3c4d7\n', path: '.env' }, compileRules([...specs].reverse()));
    expect(found.map((f) => f.ruleId)).toEqual(['account']);
  });
});
