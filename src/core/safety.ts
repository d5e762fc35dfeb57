/**
 * A static guard against catastrophic backtracking in the built-in rule patterns (custom ones run
 * on a linear-time engine instead: see LinearRegExp below). The
 * shapes run over whole files and the contexts over every candidate, so one `(\w+\s?)+` would
 * let a crafted file stall a pre-commit hook. The guard rejects the construct behind nearly all
 * such blow-ups: a repetition whose body can itself repeat a variable number of times, where
 * either repetition is unbounded (`(a+)+`, `(a|b?)*`, `(x{1,3})+`, `(a+){2,5}`). An optional
 * group (`(x\s*)?`) repeats nothing, and nested repetitions with both counts bounded
 * (`(?:[^\n]{0,300}\n){0,8}`) have a fixed ceiling, which small windows keep low; both pass.
 * Ambiguous alternatives under a repetition (`(a|ab)+`) are not detected: keep alternatives disjoint.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

let re2js: typeof RE2JS | undefined;
/**
 * re2js, loaded when a custom rule is first compiled: it takes 10-20 ms to load, a tenth of a
 * pre-commit hook's run, and only a config's own rules need it.
 */
function RE2(): typeof RE2JS {
  return (re2js ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS);
}

interface Group {
  /** The body holds a quantifier that can repeat a variable number of times. */
  variable: boolean;
  /** The body holds an unbounded quantifier (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

interface Quantifier {
  length: number;
  variable: boolean;
  unbounded: boolean;
  /** At most once (`?`, `{0,1}`): an optional group is not a repetition. */
  once: boolean;
}

function quantifierAt(src: string, i: number): Quantifier | null {
  const c = src[i];
  let q: Quantifier | null = null;
  if (c === '*' || c === '+') q = { length: 1, variable: true, unbounded: true, once: false };
  else if (c === '?') q = { length: 1, variable: true, unbounded: false, once: true };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
    if (!m) return null;
    const min = Number(m[1]);
    const unbounded = m[2] !== undefined && m[3] === '';
    const max = m[2] === undefined ? min : unbounded ? Infinity : Number(m[3]);
    q = { length: m[0].length, variable: max !== min, unbounded, once: max <= 1 };
  }
  if (q && src[i + q.length] === '?') q.length++;
  return q;
}

/** Why `source` can backtrack catastrophically, or null when it passes the guard. */
export function unsafeRepetition(source: string): string | null {
  const stack: Group[] = [{ variable: false, unbounded: false }];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let atom: Group = { variable: false, unbounded: false };
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      stack.push({ variable: false, unbounded: false });
      i++;
      if (source[i] === '?') {
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_]\w*>)/.exec(source.slice(i, i + 40));
        i += m ? m[0].length : 1;
      }
      continue;
    } else if (c === ')') {
      atom = stack.length > 1 ? stack.pop()! : atom;
      i++;
    } else if (c === '|') {
      i++;
      continue;
    } else {
      i++;
    }
    const q = quantifierAt(source, i);
    const top = stack[stack.length - 1]!;
    if (q) {
      if (!q.once && q.variable && atom.variable && (q.unbounded || atom.unbounded)) {
        return `nested repetition near offset ${i}: a repeated group whose body repeats a variable number of times (bound both, or make the body fixed-length)`;
      }
      i += q.length;
      top.variable ||= q.variable;
      top.unbounded ||= q.unbounded;
    }
    top.variable ||= atom.variable;
    top.unbounded ||= atom.unbounded;
  }
  return null;
}

/**
 * Custom rules (a config file's `rules:`) are not ours to review, and the static guard above is
 * not a proof: `(?:a|aa)+b` or `a*a*a*a*b` pass it and still take hours on forty characters in a
 * backtracking engine. So a custom pattern runs on RE2's automaton (re2js, a pure-JS port of RE2:
 * no native build, no download), whose time is linear in the text whatever the pattern. What it
 * cannot run in linear time — backreferences, lookahead, lookbehind that captures — it refuses at
 * load, with the reason, instead of running it slowly.
 *
 * The class is a RegExp whose `exec` is RE2's, so everything that reads a match (`test`,
 * `lastIndex` with `g`, `groups`, `indices` with `d`) keeps working; the V8 pattern it extends is
 * parsed for its `source` and `flags`, never run.
 */
export class LinearRegExp extends RegExp {
  readonly #re2: RE2JS;

  constructor(source: string, flags = '') {
    super(source, flags);
    const unsupported = flags.replace(/[gidmsu]/g, '');
    if (unsupported) throw new SyntaxError(`flag ${unsupported} is not supported for custom rules`);
    const RE = RE2();
    let re2Flags = 0;
    if (flags.includes('i')) re2Flags |= RE.CASE_INSENSITIVE;
    if (flags.includes('m')) re2Flags |= RE.MULTILINE;
    if (flags.includes('s')) re2Flags |= RE.DOTALL;
    try {
      this.#re2 = RE.compile(RE.translateRegExp(source), re2Flags | RE.LOOKBEHINDS);
    } catch (err) {
      throw new SyntaxError(`cannot run in linear time (backreferences and lookahead are not supported): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  override exec(input: string): RegExpExecArray | null {
    const text = String(input);
    const sticky = this.global || this.sticky;
    const from = sticky ? this.lastIndex : 0;
    if (from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.#re2.matcher(text);
    if (!m.find(from) || (this.sticky && m.start() !== from)) {
      if (sticky) this.lastIndex = 0;
      return null;
    }
    const groups = m.groupCount();
    const result = [] as unknown as RegExpExecArray;
    const indices: Array<[number, number] | undefined> = [];
    for (let g = 0; g <= groups; g++) {
      const s = m.start(g);
      result.push(s < 0 ? (undefined as unknown as string) : text.slice(s, m.end(g)));
      indices.push(s < 0 ? undefined : [s, m.end(g)]);
    }
    result.index = m.start();
    result.input = text;
    const names = Object.entries(m.namedGroups ?? {});
    result.groups = names.length ? (Object.fromEntries(names.map(([n, g]) => [n, result[g]])) as Record<string, string>) : undefined;
    if (this.hasIndices) {
      const ind = indices as unknown as RegExpIndicesArray;
      ind.groups = names.length ? Object.fromEntries(names.map(([n, g]) => [n, indices[g]!])) : undefined;
      result.indices = ind;
    }
    if (sticky) this.lastIndex = m.end();
    return result;
  }
}
