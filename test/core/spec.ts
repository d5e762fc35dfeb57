/** A minimal rule for core tests, and a synthetic token (random-looking, never issued). */
import type { RuleSpec } from '../../src/core/types.js';

export const TOKEN = '6f1c2a7e-93b4-4d1e-b0a2-5c8e1f3d9a47';

export function testRule(fields: Partial<RuleSpec> & Pick<RuleSpec, 'id'>): RuleSpec {
  return {
    title: 't',
    description: 'd',
    fix: 'f',
    severity: 'error',
    keywords: ['postmark'],
    secret: 'uuid',
    contexts: [{ key: 'postmark' }],
    examples: [],
    negativeExamples: [],
    ...fields,
  };
}
