/**
 * The generic rule test: every example of every rule in rules/ runs through the real engine
 * (with all rules loaded, as a scan runs them). A positive must be reported by its own rule at
 * its severity; a negative must not be reported by it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileRules, contextsHit } from '../src/core/engine.js';
import type { RuleSpec } from '../src/core/types.js';
import { exampleOf, findingsFor, lintRules } from '../src/rules/lint.js';
import { ruleFiles } from './helpers/rules.mjs';

const loaded = ruleFiles();
const files = loaded.map((r) => r.file);
const specs: RuleSpec[] = loaded.map((r) => r.spec);
const rules = compileRules(specs);

/** Every file of every fixture case, with its path inside the case (as a scan would see it). */
function fixtureFiles(): Array<{ text: string; path: string }> {
  const root = fileURLToPath(new URL('../fixtures/', import.meta.url));
  const out: Array<{ text: string; path: string }> = [];
  for (const c of readdirSync(root, { withFileTypes: true })) {
    if (!c.isDirectory()) continue;
    for (const rel of readdirSync(join(root, c.name), { recursive: true, withFileTypes: true })) {
      if (!rel.isFile() || rel.name === 'expected.json') continue;
      const abs = join(rel.parentPath, rel.name);
      out.push({ text: readFileSync(abs, 'utf8'), path: relative(join(root, c.name), abs).split(sep).join('/') });
    }
  }
  return out;
}

describe('rules/', () => {
  it('pass the rules linter (unique ids, required fields, examples match, negatives do not)', () => {
    expect(lintRules(specs)).toEqual([]);
  });

  it('name each file after its rule id', () => {
    expect(files).toEqual(specs.map((s) => `${s.id}.yml`).sort());
  });

  it('have no dead context: each one holds somewhere in the examples or the fixture corpus', () => {
    const samples = [...specs.flatMap((s) => s.examples.map((e) => exampleOf(e, 'example.txt'))), ...fixtureFiles()];
    const dead: string[] = [];
    rules.forEach((rule) => {
      const hit = new Set<number>();
      for (const sample of samples) for (const i of contextsHit(sample, rule)) hit.add(i);
      rule.contexts.forEach((_, i) => {
        if (!hit.has(i)) dead.push(`${rule.id} context ${i + 1}: ${JSON.stringify(rule.spec.contexts![i])}`);
      });
    });
    expect(dead).toEqual([]);
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

describe('named pattern pieces (rules/fragments/)', () => {
  it('the "postmark, not a webhook" name is written once: no rule file spells it out, and the loader expands every use', () => {
    const dir = fileURLToPath(new URL('../rules/', import.meta.url));
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain('postmark(?!');
    const uses = specs.flatMap((s) => s.contexts ?? []).flatMap((c) => Object.values(c)).filter((v) => typeof v === 'string');
    expect(uses.filter((v) => v.includes('(?&'))).toEqual([]);
    expect(uses.filter((v) => v.includes('postmark(?![a-z0-9]{0,30}[ _.-]?(message|')).length).toBeGreaterThanOrEqual(7);
  });
});
