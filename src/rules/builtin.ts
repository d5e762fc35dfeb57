import { readFileSync } from 'node:fs';
import type { RuleSpec } from '../core/types.js';

/** The shipped rules, compiled from rules/*.yml into dist/rules.json at build time (no YAML parser at start-up). */
export function builtinRules(): RuleSpec[] {
  return JSON.parse(readFileSync(new URL('../rules.json', import.meta.url), 'utf8')) as RuleSpec[];
}
