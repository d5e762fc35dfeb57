import { compileRules, type CompiledRule } from '../core/engine.js';
import type { RuleSpec } from '../core/types.js';
import type { Config } from '../config/load.js';
import { builtinRules } from '../rules/builtin.js';

/** The rules a scan runs: built-in plus custom, less the disabled, with severity overrides applied. */
export function ruleSpecs(config: Config): RuleSpec[] {
  const all = [...builtinRules(), ...config.rules];
  return all
    .filter((r) => !config.disabledRules.includes(r.id))
    .map((r) => (config.severity[r.id] ? { ...r, severity: config.severity[r.id]!, placeholderSeverity: r.placeholderSeverity } : r));
}

export function ruleset(config: Config): CompiledRule[] {
  return compileRules(ruleSpecs(config));
}
