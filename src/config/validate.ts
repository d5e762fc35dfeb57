/**
 * A settings object against schema/config.schema.json, through the validator compiled from it at
 * build time (scripts/build-schema.mjs). The schema carries the words (`errorMessage` on a key,
 * `unknownKeyMessage` on an object); this turns the validator's first error into one message
 * naming the key, as `rules[0].pattern` or `severity.my-rule`.
 */
import { readFileSync } from 'node:fs';
import { validate } from './schema-validator.generated.js';
import type { KeyPath } from './locate.js';

interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: { additionalProperty?: string; missingProperty?: string };
}

type Node = { errorMessage?: string; unknownKeyMessage?: string; properties?: Record<string, Node> } & Record<string, unknown>;

export interface SchemaProblem {
  /** The key, as the path to it. */
  path: KeyPath;
  /** What is wrong with it, e.g. "is not a known key (known: …)". */
  what: string;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

let loaded: unknown;

/**
 * The schema itself, for its words, read only when a config is invalid: the same file from src/
 * and from dist/ (the package ships schema/ beside both).
 */
export function schema(): Node {
  loaded ??= JSON.parse(readFileSync(new URL('../../schema/config.schema.json', import.meta.url), 'utf8'));
  return loaded as Node;
}

function nodeAt(pointer: string[]): Node | undefined {
  let n: unknown = schema();
  for (const seg of pointer) n = n && typeof n === 'object' ? (n as Record<string, unknown>)[seg] : undefined;
  return n && typeof n === 'object' ? (n as Node) : undefined;
}

/** Schema keywords whose subschema applies to a member or element one level down the data. */
const DESCENDS = new Set(['items', 'additionalProperties']);

/** The problem, or undefined when `raw` validates. */
export function schemaProblem(raw: unknown): SchemaProblem | undefined {
  if (validate(raw)) return undefined;
  const errors = (validate as unknown as { errors: SchemaError[] }).errors;
  // An unknown key first, as a person reads the file: a misspelt key explains what follows.
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  let err = unknown ?? errors[0]!;
  // Of the errors inside the chosen one's value (an `anyOf`'s branches), the deepest says most.
  if (!unknown) for (const e of errors) if (e.instancePath.startsWith(`${err.instancePath}/`) && e.instancePath.length > err.instancePath.length) err = e;
  const path = toPath(raw, err.instancePath);
  const pointer = err.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescape);
  pointer.pop(); // the failing keyword itself
  if (err.keyword === 'additionalProperties') {
    const node = nodeAt(pointer)!;
    const known = Object.keys(node.properties ?? {}).filter((k) => k !== '$schema');
    return { path: [...path, err.params.additionalProperty!], what: `${node.unknownKeyMessage ?? 'is not a known key'} (known: ${known.join(', ')})` };
  }
  if (err.keyword === 'required') {
    const missing = err.params.missingProperty!;
    const node = nodeAt([...pointer, 'properties', missing]);
    return { path: [...path, missing], what: node?.errorMessage ?? 'is required' };
  }
  // The nearest schema up from the failing keyword that has words for it; each step up past a
  // member or element schema is a step up the data too.
  for (let depth = pointer.length; depth >= 0; depth--) {
    const at = pointer.slice(0, depth);
    const node = nodeAt(at);
    if (node?.errorMessage) return { path, what: node.errorMessage };
    const seg = at[at.length - 1];
    const parent = at[at.length - 2];
    if ((seg !== undefined && DESCENDS.has(seg) && parent !== 'properties') || parent === 'properties') path.pop();
  }
  return { path, what: 'is not valid' };
}

/** `/rules/0/id` as keys and indices, told apart by the data (a key may be all digits). */
function toPath(raw: unknown, pointer: string): KeyPath {
  const path: KeyPath = [];
  let v: unknown = raw;
  for (const seg of pointer.split('/').slice(1).map(unescape)) {
    if (Array.isArray(v)) {
      path.push(Number(seg));
      v = v[Number(seg)];
    } else {
      path.push(seg);
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

/** `rules[0].pattern`, `severity.my-rule`; `(top level)` for the whole file. */
export function keyName(path: KeyPath): string {
  if (!path.length) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
