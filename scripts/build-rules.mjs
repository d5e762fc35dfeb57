// Compiles rules/*.yml into dist/rules.json and refuses to build when a rule fails the linter,
// so a broken rule can never ship.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleFiles } from '../test/helpers/rules.mjs';

const root = new URL('..', import.meta.url).pathname;
const specs = ruleFiles(join(root, 'rules'));
const { lintRules } = await import(join(root, 'dist/rules/lint.js'));
const byId = new Map(specs.map(({ file, spec }) => [spec.id, file]));
const problems = lintRules(specs.map((s) => s.spec), (id) => `rules/${byId.get(id) ?? id}`);
for (const { file, spec } of specs) {
  if (`${spec.id}.yml` !== file) problems.push(`rules/${file}: file name must be ${spec.id}.yml`);
}
if (problems.length) {
  console.error(`secret-guard: ${problems.length} rule problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(join(root, 'dist/rules.json'), JSON.stringify(specs.map((s) => s.spec)));
