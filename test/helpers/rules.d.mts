import type { RuleSpec } from '../../src/core/types.js';

/** rules/, absolute. */
export declare const RULES_DIR: string;
/** Every rules/*.yml (or `dir`'s), sorted by file name, with its parsed spec. */
export declare function ruleFiles(dir?: string): Array<{ file: string; spec: RuleSpec }>;
/** The specs of ruleFiles(), in the same order. */
export declare function ruleSpecs(dir?: string): RuleSpec[];
