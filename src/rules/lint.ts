/**
 * The rules linter: what every rule must satisfy before the engine uses it, whether it ships in
 * rules/ or comes from a config file. Pure: specs in, problems out.
 */
import { compileRule, detect, detectPath } from '../core/engine.js';
import { SHAPES } from '../core/shapes.js';
import { SEVERITIES, type ExampleSpec, type RuleSpec, type Severity } from '../core/types.js';
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function exampleOf(e: string | ExampleSpec, fallbackPath: string): Required<Pick<ExampleSpec, 'text' | 'path'>> & ExampleSpec {
  return typeof e === 'string' ? { text: e, path: fallbackPath } : { ...e, path: e.path ?? fallbackPath };
}

/** Runs one example through the real engine with every rule, as a scan would. */
export function findingsFor(example: ExampleSpec & { path: string }, rules: ReturnType<typeof compileRule>[]) {
  return [
    ...detectPath(example.path, 'tracked', rules),
    ...detect({ text: example.text, path: example.path }, rules),
  ];
}

export function lintRules(specs: RuleSpec[], where: (id: string) => string = (id) => id, context: RuleSpec[] = []): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const compiled: ReturnType<typeof compileRule>[] = [];
  for (const spec of specs) {
    const at = where(spec.id ?? '?');
    if (!spec.id || !ID.test(spec.id)) problems.push(`${at}: id must be lower-case words joined by '-'`);
    if (ids.has(spec.id)) problems.push(`${at}: duplicate rule id ${spec.id}`);
    ids.add(spec.id);
    for (const field of ['title', 'description', 'fix'] as const) {
      if (typeof spec[field] !== 'string' || spec[field].trim() === '') problems.push(`${at}: ${field} is required`);
    }
    if (!(SEVERITIES as readonly Severity[]).includes(spec.severity)) problems.push(`${at}: severity must be one of ${SEVERITIES.join(', ')}`);
    if (!spec.secret && !spec.paths?.length) problems.push(`${at}: needs a secret shape or paths`);
    if (spec.secret && !spec.contexts?.length) problems.push(`${at}: a secret rule needs at least one context`);
    if (spec.secret && !(spec.secret in SHAPES)) {
      try {
        const re = new RegExp(spec.secret);
        if (re.test('')) problems.push(`${at}: secret pattern matches the empty string`);
      } catch (err) {
        problems.push(`${at}: secret is not a valid regular expression (${(err as Error).message})`);
      }
    }
    if (!Array.isArray(spec.examples) || spec.examples.length === 0) problems.push(`${at}: needs examples`);
    if (!Array.isArray(spec.negativeExamples) || spec.negativeExamples.length === 0) problems.push(`${at}: needs negativeExamples`);
    try {
      compiled.push(compileRule(spec));
    } catch (err) {
      problems.push(`${at}: does not compile (${(err as Error).message})`);
    }
  }
  if (problems.length) return problems;
  const all = [...compiled, ...context.map(compileRule)];
  for (const spec of specs) {
    const at = where(spec.id);
    spec.examples.forEach((e, i) => {
      const ex = exampleOf(e, 'example.txt');
      const hits = findingsFor(ex, all).filter((f) => f.ruleId === spec.id);
      const want = ex.severity ?? spec.severity;
      if (!hits.some((f) => f.severity === want)) problems.push(`${at}: example ${i + 1} (${ex.path}) is not found as ${want}`);
    });
    spec.negativeExamples.forEach((e, i) => {
      const ex = exampleOf(e, 'example.txt');
      if (findingsFor(ex, all).some((f) => f.ruleId === spec.id)) problems.push(`${at}: negative example ${i + 1} (${ex.path}) is reported`);
    });
  }
  return problems;
}
