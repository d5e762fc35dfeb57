/**
 * The literal text a pattern cannot match without: `process\.env(\.|\[)\w{0,40}POSTMARK…`
 * needs "process.env" and "postmark". A context tests it (as a plain case-insensitive regex) before
 * running its own regex, because a file that mentions Postmark can hold tens of thousands of quoted literals,
 * each checked against every context, and a literal search is far cheaper than a regex that
 * must be tried at every position of a 300-character window.
 */

const ESCAPED_LITERAL = new Set([...'.-()[]{}$*+?/|\\^:=!<>,\'"@#%&~ ']);

/**
 * Where the escape at `i` (a backslash) ends: `\x41`, `\u0041`, `\cJ`, `\k<name>` and a decimal
 * escape (`\1`, octal `\141`) are one atom with their operands, never an escape followed by
 * literal text.
 */
function escapeEnd(source: string, i: number): number {
  const e = source[i + 1] ?? '';
  const rest = source.slice(i + 2);
  const operand =
    e === 'x' ? /^[0-9A-Fa-f]{2}/.exec(rest) : e === 'u' ? /^[0-9A-Fa-f]{4}/.exec(rest) : e === 'c' ? /^[A-Za-z]/.exec(rest) : e === 'k' ? /^<[^>]*>/.exec(rest) : /[0-9]/.test(e) ? /^[0-9]*/.exec(rest) : null;
  return i + 2 + (operand?.[0].length ?? 0);
}

/** Where the class opened at `i` ends (after its `]`): JavaScript closes it at the first unescaped `]`, so `[]` is empty and `[^]` any character. */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

/**
 * The longest run of characters every match must contain, lower-cased, or null when the pattern
 * has a top-level alternation or no run of at least `min` characters. Conservative: anything
 * it does not understand ends a run, so a returned literal is always required.
 */
export function requiredLiteral(source: string, min = 3): string | null {
  const all = requiredLiterals(source, min);
  if (all === null || all.length === 0) return null;
  return all.reduce((best, l) => (l.length > best.length ? l : best));
}

/**
 * Every run of at least `min` characters that every match must contain (the longest first
 * among equals in source order), or null for a top-level alternation. A file pattern such as
 * `kind:\s*Secret…name:…postmark` is ruled out by whichever of its literals a text lacks.
 */
export function requiredLiterals(source: string, min = 3): string[] | null {
  const runs: string[] = [];
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length >= min && !runs.includes(run)) runs.push(run);
    run = '';
  };
  for (let i = 0; i < source.length; ) {
    const c = source[i]!;
    let atom: string | null = null;
    let next = i + 1;
    if (c === '\\') {
      const e = source[i + 1] ?? '';
      if (ESCAPED_LITERAL.has(e)) atom = e;
      next = escapeEnd(source, i);
    } else if (c === '[') {
      next = classEnd(source, i);
    } else if (c === '{') {
      // A quantifier's bounds (after a class or a group): never literal text.
      const close = source.indexOf('}', i);
      next = close === -1 ? source.length : close + 1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      return null;
    } else if (depth === 0 && /[A-Za-z0-9_\-:/='"@#%&~ ,<>!]/.test(c)) {
      atom = c;
    }
    // A quantifier after the atom: optional ones drop it, repeating ones end the run after it.
    const q = source[next];
    const optional = q === '?' || q === '*' || (q === '{' && /^\{0+[,}]/.test(source.slice(next)));
    const repeats = q === '+' || q === '{';
    if (depth > 0 || (c === ')' && depth === 0) || atom === null || optional) {
      end();
    } else {
      run += atom.toLowerCase();
      if (repeats) end();
    }
    i = next;
  }
  end();
  return runs;
}

/**
 * The top-level alternatives of a pattern (inside one group that wraps it whole), or the pattern
 * alone. `(A|B)` holds in a text where A or B does, and each alternative has literals of its own
 * to rule it out: `(\bClient\b…require\(…postmark|import\s*\{…from…postmark)` as a whole needs
 * none, yet the second branch cannot match a text without "import". Not split: a pattern with a
 * back-reference (group numbers would move) or a group whose extent is unclear.
 */
export function alternativesOf(source: string): string[] {
  if (/\\[1-9k]/.test(source)) return [source];
  const cuts: number[][] = [[], []];
  let depth = 0;
  // Whether the group opened at 0 closes at the last character (wraps the whole pattern).
  let wrapped = source.startsWith('(');
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') i = escapeEnd(source, i) - 1;
    else if (c === '[') i = classEnd(source, i) - 1;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return [source];
      if (depth === 0 && i !== source.length - 1) wrapped = false;
    } else if (c === '|' && depth <= 1) cuts[depth]!.push(i);
  }
  if (depth !== 0) return [source];
  let inner = 0;
  let at = cuts[0]!;
  if (wrapped && at.length === 0) {
    // Inside the wrapping group: `(` or `(?:`; a named or other special group is not split.
    if (source.startsWith('(?:')) inner = 3;
    else if (source.startsWith('(?')) return [source];
    else inner = 1;
    at = cuts[1]!;
  }
  if (at.length === 0) return [source];
  const end = inner ? source.length - 1 : source.length;
  const parts: string[] = [];
  let from = inner;
  for (const cut of at) {
    parts.push(source.slice(from, cut));
    from = cut + 1;
  }
  parts.push(source.slice(from, end));
  return parts;
}

/**
 * How a literal is keyed in a LiteralSet: lower-cased when that is the same `i` search (ASCII),
 * as written otherwise. Outside ASCII lower-casing changes what an `i` search finds: /İ/i finds
 * 'İ' but 'i̇' (its lower case, two characters) does not, and /K/i (Kelvin sign) misses 'k'.
 */
export const literalKey = (l: string): string => (isAscii(l) ? l.toLowerCase() : l);

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

/** Up to this many characters, a text is searched once per literal (see presentIn). */
const SHORT_TEXT = 16_384;

/**
 * The literals a rule set tests documents for (keywords, the literals a context needs), found in
 * one pass of one alternation instead of one case-insensitive search per literal: a generated
 * page that says "postmark" everywhere but lacks the other dozen literals was searched whole a
 * dozen times. Longest alternatives first, and every start position tried, so a literal hidden
 * inside a longer one found at the same place is implied by it.
 */
export class LiteralSet {
  readonly size: number;
  /** The literals of the set (lower-cased, literalKey), in no particular order. */
  readonly all: readonly string[];
  /** The longest literal's length in UTF-16 units. */
  readonly longest: number;
  /** The ASCII literals, longest first, so an alternation tries a literal before any it contains. */
  private readonly ascii: string[];
  /** A matched ASCII literal (lower-cased) → every ASCII literal of the set it contains, itself included. */
  private readonly implied = new Map<string, string[]>();
  /**
   * The others, each searched on its own: V8 reads some `i` alternations that mix them with ASCII
   * wrongly (/\u212a|kk|k/i, Kelvin sign first, does not match "k"), and a case fold outside
   * ASCII is not lower-casing ('σ' and 'ς' find each other).
   */
  private readonly others: Array<{ literal: string; re: RegExp }>;
  /** The alternation of the literals not found yet, by which are left (few subsets occur). */
  private readonly alternations = new Map<string, RegExp>();

  constructor(literals: Iterable<string>) {
    const all = [...new Set([...literals].map(literalKey))].filter((l) => l !== '');
    const ascii = all.filter(isAscii);
    ascii.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.ascii = ascii;
    this.others = all.filter((l) => !isAscii(l)).map((literal) => ({ literal, re: new RegExp(escapeLiteral(literal), 'i') }));
    this.size = all.length;
    this.all = all;
    this.longest = Math.max(0, ...all.map((l) => l.length));
    for (const l of ascii) this.implied.set(l, ascii.filter((o) => l.includes(o)));
  }

  /**
   * The set's literals that occur in `text` (case-insensitively, as an `i` regex reads case).
   * Each search looks only for the literals not found yet, so a word the page repeats thousands
   * of times ("client") is matched once: at most one search per literal, each starting where
   * the last one matched, so the text is read about once.
   */
  presentIn(text: string): Set<string> {
    return new Set(this.positionsIn(text).keys());
  }


  /**
   * presentIn with where: each literal that occurs in `text` → the offset of one occurrence of it
   * (case-insensitively, as an `i` regex reads case). `only`, when given, limits the search to
   * those literals.
   */
  positionsIn(text: string, only?: ReadonlySet<string>): Map<string, number> {
    const found = new Map<string, number>();
    const ascii = only ? this.ascii.filter((l) => only.has(l)) : this.ascii;
    // A short text (a staged change's file) is cheaper to search once per literal than to
    // compile the alternations the long path needs.
    if (text.length <= SHORT_TEXT || ascii.length === 1) {
      for (const l of ascii) {
        const at = text.search(this.single(l));
        if (at !== -1) found.set(l, at);
      }
    } else this.searchAscii(text, ascii, found);
    for (const { literal, re } of this.others) {
      if (only && !only.has(literal)) continue;
      const at = text.search(re);
      if (at !== -1) found.set(literal, at);
    }
    return found;
  }

  /** The long path: the ASCII literals through alternations, each search resuming after the last hit. */
  private searchAscii(text: string, ascii: string[], found: Map<string, number>): void {
    let left = ascii;
    let from = 0;
    while (left.length) {
      const re = this.alternation(left);
      re.lastIndex = from;
      const m = re.exec(text);
      if (!m) break;
      // An `i` search for ASCII matches ASCII only, where case is lower-casing: the hit is one
      // of the literals, and every literal at m.index is no longer (it would have been tried
      // first), so lies within the hit, at its first place there.
      const hit = m[0].toLowerCase();
      for (const l of this.implied.get(hit)!) if (!found.has(l) && left.includes(l)) found.set(l, m.index + hit.indexOf(l));
      left = left.filter((l) => !found.has(l));
      from = m.index + 1;
    }
  }

  private readonly singles = new Map<string, RegExp>();
  private single(literal: string): RegExp {
    let re = this.singles.get(literal);
    if (!re) {
      re = new RegExp(escapeLiteral(literal), 'i');
      this.singles.set(literal, re);
    }
    return re;
  }

  private alternation(left: string[]): RegExp {
    const key = left.join('\0');
    let re = this.alternations.get(key);
    if (!re) {
      re = new RegExp(left.map(escapeLiteral).join('|'), 'gi');
      this.alternations.set(key, re);
    }
    return re;
  }
}

export const escapeLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The characters the last non-blank character of a text must be among for `source` to match at
 * its end, or null when that cannot be told simply. A context's `before` pattern ends in `$`
 * (it reads the text before a candidate on its line), and most candidates in a generated page
 * sit after `=` (`class="…"`), which rules out every pattern ending in `,` or `||`: one
 * character compared instead of a regex tried at each of 300 positions.
 */
export function lastCharsOf(source: string, ignoreCase: boolean): Set<string> | null {
  let items: Item[];
  try {
    items = new PatternReader(source).sequence();
  } catch {
    return null;
  }
  // The pattern must end with `$` (no `m` flag is used: the end of the text), possibly after
  // blanks and other zero-width assertions.
  let i = items.length - 1;
  while (i >= 0) {
    const it = items[i]!;
    if (it.kind === 'zero' && it.text === '$') return lastOf(items.slice(0, i), ignoreCase);
    if (it.kind !== 'zero' && it.kind !== 'blank') break;
    i--;
  }
  return null;
}

/** One atom of a pattern; `repeats` when its quantifier allows more than one. */
type Item = { min: number; repeats?: boolean } & (
  | { kind: 'chars'; chars: Set<string> }
  | { kind: 'group'; alternatives: Item[][] }
  | { kind: 'blank' }
  | { kind: 'zero'; text: string }
  | { kind: 'other' }
);

/**
 * What every match of `source` must contain, as a list of choices: each inner list holds
 * literals (lower-cased, at least `min` characters) one of which every match contains.
 * `(process\.env…|(os\.environ|ENV)\[…)…POSTMARK…` gives [['postmark'], ['process.env',
 * 'os.environ', 'env']]: a line that mentions Postmark but no environment is ruled out without
 * the regex. Null when the pattern is not understood.
 */
export function requiredChoices(source: string, min = 3): string[][] | null {
  let items: Item[];
  try {
    items = new PatternReader(source).sequence();
  } catch {
    return null;
  }
  return choicesOf(items, min);
}

function choicesOf(items: Item[], min: number): string[][] {
  const out: string[][] = [];
  let run = '';
  const end = () => {
    if (run.length >= min) out.push([run]);
    run = '';
  };
  for (const it of items) {
    if (it.kind === 'chars' && it.chars.size === 1 && it.min >= 1) {
      run += literalKey([...it.chars][0]!);
      if (it.repeats) end();
      continue;
    }
    end();
    if (it.kind !== 'group' || it.min < 1) continue;
    if (it.alternatives.length === 1) {
      out.push(...choicesOf(it.alternatives[0]!, min));
      continue;
    }
    // One of the alternatives matched: whatever each one needs, any of those is present.
    const any: string[] = [];
    for (const alt of it.alternatives) {
      const needs = choicesOf(alt, min);
      if (!needs.length) {
        any.length = 0;
        break;
      }
      const single = needs.filter((n) => n.length === 1).sort((a, b) => b[0]!.length - a[0]!.length)[0];
      any.push(...(single ?? needs[0]!));
    }
    if (any.length) out.push([...new Set(any)]);
  }
  end();
  return out;
}

/** The last non-blank character any match of `items` ends with, or null. */
function lastOf(items: Item[], ignoreCase: boolean): Set<string> | null {
  const out = new Set<string>();
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.kind === 'zero' || it.kind === 'blank') continue;
    let chars: Set<string> | null;
    if (it.kind === 'chars') chars = it.chars;
    else if (it.kind === 'group') {
      chars = new Set();
      for (const alt of it.alternatives) {
        const c = alt.some((x) => x.kind !== 'zero' && x.kind !== 'blank' && x.min > 0) ? lastOf(alt, ignoreCase) : null;
        if (!c) return null;
        for (const ch of c) chars.add(ch);
      }
    } else return null;
    for (const ch of chars) {
      if (/\s/.test(ch)) return null;
      // Outside ASCII an `i` match is not lower or upper case: /σ$/i also ends at 'ς', /μ/i at 'µ'.
      if (ignoreCase && !isAscii(ch)) return null;
      out.add(ch);
      if (ignoreCase) {
        out.add(ch.toLowerCase());
        out.add(ch.toUpperCase());
      }
    }
    if (it.min > 0) return out;
  }
  return null;
}

/** Enough of the regex grammar to read the patterns rules use; anything else throws (no prefilter). */
class PatternReader {
  private i = 0;
  constructor(private readonly s: string) {}

  sequence(): Item[] {
    const alternatives = this.alternatives();
    if (this.i !== this.s.length) throw new Error('unbalanced');
    return alternatives.length === 1 ? alternatives[0]! : [{ kind: 'group', alternatives, min: 1 }];
  }

  private alternatives(): Item[][] {
    const all: Item[][] = [[]];
    while (this.i < this.s.length && this.s[this.i] !== ')') {
      if (this.s[this.i] === '|') {
        this.i++;
        all.push([]);
        continue;
      }
      const atom = this.atom();
      all[all.length - 1]!.push(this.quantified(atom));
    }
    return all;
  }

  private quantified(atom: Item): Item {
    const q = this.s[this.i];
    let min = 1;
    if (q === '?' || q === '*') {
      min = 0;
      this.i++;
    } else if (q === '+') this.i++;
    else if (q === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(this.s.slice(this.i));
      if (!m) throw new Error('quantifier');
      min = Number(m[1]);
      this.i += m[0].length;
    } else return atom;
    if (this.s[this.i] === '?') this.i++; // lazy
    if (atom.kind === 'zero') throw new Error('quantified assertion');
    return { ...atom, min: Math.min(atom.min, min), repeats: q !== '?' };
  }

  private atom(): Item {
    const c = this.s[this.i++]!;
    if (c === '^' || c === '$') return { kind: 'zero', text: c, min: 1 };
    if (c === '.') return { kind: 'other', min: 1 };
    if (c === '[') return this.charClass();
    if (c === '(') {
      let lookaround = false;
      if (this.s[this.i] === '?') {
        const head = /^\?(:|=|!|<=|<!|<[A-Za-z_]\w*>)/.exec(this.s.slice(this.i));
        if (!head) throw new Error('group');
        lookaround = ['=', '!', '<=', '<!'].includes(head[1]!);
        this.i += head[0].length;
      }
      const alternatives = this.alternatives();
      if (this.s[this.i++] !== ')') throw new Error('unbalanced');
      return lookaround ? { kind: 'zero', text: '(?)', min: 1 } : { kind: 'group', alternatives, min: 1 };
    }
    if (c === '\\') {
      const e = this.s[this.i++];
      if (e === undefined) throw new Error('escape');
      if (e === 'b' || e === 'B') return { kind: 'zero', text: `\\${e}`, min: 1 };
      if (e === 's') return { kind: 'blank', min: 1 };
      if (/[A-Za-z0-9]/.test(e)) {
        this.i = escapeEnd(this.s, this.i - 2);
        return { kind: 'other', min: 1 };
      }
      return { kind: 'chars', chars: new Set([e]), min: 1 };
    }
    if (c === ')' || c === '|' || c === '?' || c === '*' || c === '+' || c === '{') throw new Error('syntax');
    return { kind: 'chars', chars: new Set([c]), min: 1 };
  }

  /** A class of plain characters; one with ranges, negation or escapes such as `\\w` is some other character. */
  private charClass(): Item {
    const chars = new Set<string>();
    let plain = this.s[this.i] !== '^';
    if (!plain) this.i++;
    while (this.i < this.s.length && this.s[this.i] !== ']') {
      let c = this.s[this.i++]!;
      if (c === '\\') {
        c = this.s[this.i++] ?? '';
        if (c === '' || /[A-Za-z0-9]/.test(c)) plain = false;
      }
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']') plain = false;
      chars.add(c);
    }
    if (this.s[this.i++] !== ']' || chars.size === 0) throw new Error('unbalanced or empty class');
    return plain ? { kind: 'chars', chars, min: 1 } : { kind: 'other', min: 1 };
  }
}
