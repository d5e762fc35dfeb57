/** A minimal rule for core tests, and a synthetic token (random-looking, never issued). */
import { compileRule } from '../../src/core/engine.js';
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

/** A compiled rule whose shape counts how often it is run: proves a prefilter kept it from running. */
export function counted(s: RuleSpec) {
  const rule = compileRule(s);
  const shape = rule.shape!;
  let runs = 0;
  const exec = shape.exec.bind(shape);
  shape.exec = (text: string) => {
    runs++;
    return exec(text);
  };
  return { rule, runs: () => runs };
}
