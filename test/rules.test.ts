/**
 * The generic rule test: every example of every rule in rules/ runs through the real engine
 * (with all rules loaded, as a scan runs them). A positive must be reported by its own rule at
 * its severity; a negative must not be reported by it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../src/core/engine.js';
import type { RuleSpec } from '../src/core/types.js';
import { exampleOf, findingsFor, lintRules } from '../src/rules/lint.js';

const dir = new URL('../rules/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
const specs: RuleSpec[] = files.map((f) => parse(readFileSync(new URL(f, dir), 'utf8')) as RuleSpec);
const rules = compileRules(specs);

describe('rules/', () => {
  it('pass the rules linter (unique ids, required fields, examples match, negatives do not)', () => {
    expect(lintRules(specs)).toEqual([]);
  });

  it('name each file after its rule id', () => {
    expect(files).toEqual(specs.map((s) => `${s.id}.yml`).sort());
  });

  for (const spec of specs) {
    describe(spec.id, () => {
      spec.examples.forEach((e, i) => {
        const ex = exampleOf(e, 'example.txt');
        it(`finds example ${i + 1} (${ex.path})`, () => {
          const hits = findingsFor(ex, rules).filter((f) => f.ruleId === spec.id);
          expect(hits.map((f) => f.severity)).toContain(ex.severity ?? spec.severity);
          for (const f of hits) if (f.kind === 'content') expect(ex.text).toContain(f.secret);
        });
      });
      spec.negativeExamples.forEach((e, i) => {
        const ex = exampleOf(e, 'example.txt');
        it(`ignores negative example ${i + 1} (${ex.path})`, () => {
          expect(findingsFor(ex, rules).filter((f) => f.ruleId === spec.id)).toEqual([]);
        });
      });
    });
  }
});
