/**
 * The detector: one engine for every mode (working tree, staged, history, range). Text in,
 * findings out; no I/O. Per-rule keywords are a cheap prefilter before any regex runs; a
 * candidate secret becomes a finding only when one of its rule's contexts holds at its site.
 */
import picomatch from 'picomatch';
import { Document } from './document.js';
import { fingerprint } from './fingerprint.js';
import { isNeverSecret, isReference, looksReal } from './placeholder.js';
import { alternativesOf, escapeLiteral as escape, lastCharsOf, literalKey, LiteralSet, requiredChoices, requiredLiteral, requiredLiterals } from './prefilter.js';
import { LinearRegExp, unsafeRepetition } from './safety.js';
import { type Acceptor, SEEKERS, SHAPES, shapeSource, type Seeker } from './shapes.js';
import { shellWord } from './shell.js';
import { LINE_WINDOW } from './structure/limits.js';
import { afterEnd, beforeStart, delimiterBefore, Site } from './structure/site.js';
import type { ContextSpec, Finding, Fragment, RuleSpec, Severity } from './types.js';

/** A rule that throws is reported by id and path only: the line it was reading may hold a secret. */
export class RuleError extends Error {
  constructor(
    readonly ruleId: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`rule ${ruleId} failed on ${path}: ${cause instanceof Error ? cause.name : 'error'}`);
  }
}

/** A context pattern and the literal text it cannot match without (tested first, on its own). */
interface Gated {
  re: RegExp;
  literal: RegExp | null;
  /** The literal's length in characters. */
  length: number;
  /** For a pattern anchored at the end (`before`): what the text's last non-blank character must be. */
  last: Set<string> | null;
  /** More literals the pattern needs, beside `literal`: each entry lists literals one of which must be in the text. */
  choices: Array<Array<{ re: RegExp; length: number }>>;
}

interface CompiledContext {
  key?: RegExp;
  scope?: Gated;
  call?: Gated;
  arg?: number;
  before?: Gated;
  after?: Gated;
  /**
   * A whole-document pattern, as its top-level alternatives, each with every literal it needs
   * (looked up once per document first): it holds where one alternative does.
   */
  file?: Array<{ re: RegExp; literals: string[] }>;
  path?: RegExp;
  /**
   * Literals that must be somewhere in the text for the key, call, before and after patterns to
   * match (each is matched against a contiguous slice of the text), lower-cased, looked up once
   * per document: a document with 270k quoted literals and no `process.env` would otherwise
   * search each literal's line window for it.
   */
  need: string[];
}

export interface CompiledRule {
  spec: RuleSpec;
  id: string;
  severity: Severity;
  priority: number;
  keywords: RegExp | null;
  /**
   * Whether a text (a path) holds one of the keywords, each searched on its own: V8's
   * case-insensitive alternation misses some ('k' in /\u212a|kk|k/i), and a custom rule's
   * keywords can be any text.
   */
  inKeywords: ((text: string) => boolean) | null;
  /** The keywords as the document's literal set keys them (literalKey); null: no gate. */
  keywordList: string[] | null;
  shape: RegExp | null;
  /** For a named shape with a seeker: where its regex is run from (shapes.ts SEEKERS). */
  seek: Seeker | null;
  contexts: CompiledContext[];
  paths: Array<{ match: (p: string) => boolean; severity: Severity }>;
  exceptPaths: ((p: string) => boolean) | null;
}

/** Compiles one pattern of a rule, refusing the ones that could backtrack catastrophically. */
function re(source: string | undefined, flags = 'i'): RegExp | undefined {
  if (source === undefined) return undefined;
  const unsafe = unsafeRepetition(source);
  if (unsafe) throw new SyntaxError(`pattern ${JSON.stringify(source.slice(0, 80))}: ${unsafe}`);
  return new RegExp(source, flags);
}

function gated(source: string | undefined): Gated | undefined {
  const r = re(source);
  if (!r) return undefined;
  // A plain case-insensitive literal regex: scanned without allocating a lower-cased copy.
  const literal = requiredLiteral(source!);
  let last: Gated['last'] | undefined;
  let choices: Gated['choices'] | undefined;
  // Read from the pattern when first needed: a hook run compiles every rule and uses few windows.
  return {
    re: r,
    literal: literal === null ? null : new RegExp(escape(literal), 'i'),
    length: literal?.length ?? 0,
    get last() {
      return last === undefined ? (last = lastCharsOf(source!, true)) : last;
    },
    get choices() {
      return (choices ??= (requiredChoices(source!) ?? [])
        .filter((any) => !(any.length === 1 && any[0] === literal))
        .map((any) => any.map((l) => ({ re: new RegExp(escape(l), 'i'), length: l.length }))));
    },
  };
}

/** The pattern is checked (and refused) as written; its alternatives are what runs. */
function fileAlternatives(source: string): NonNullable<CompiledContext['file']> {
  re(source);
  return alternativesOf(source).map((a) => ({ re: re(a)!, literals: requiredLiterals(a) ?? [] }));
}

function compileContext(c: ContextSpec): CompiledContext {
  const out: CompiledContext = {
    key: re(c.key),
    scope: gated(c.scope),
    call: gated(c.call),
    arg: c.arg ?? (c.firstArg ? 1 : undefined),
    before: gated(c.before),
    after: gated(c.after),
    file: c.file === undefined ? undefined : fileAlternatives(c.file),
    path: re(c.path),
    need: [],
  };
  // Not the scope: it is pieces of text joined, and a literal could span a join. Nor a key
  // literal holding `_`: a label of words is also read as its words joined by `_` (`**Server
  // Token**:` as `Server_Token`), which no slice of the text holds.
  const key = c.key === undefined ? null : requiredLiteral(c.key);
  const literalOf = (source: string | undefined) => (source === undefined ? null : requiredLiteral(source));
  for (const l of [literalOf(c.before), literalOf(c.after), key !== null && key.includes('_') ? null : key, literalOf(c.call)]) if (l !== null) out.need.push(l);
  return out;
}

/**
 * Whether a context can hold anywhere in the document: the tests that do not depend on the site.
 * A rule none of whose contexts can hold is not run at all: the base64 shape only runs where a
 * Kubernetes Secret is.
 */
function possible(c: CompiledContext, doc: Document, path: string, literals: LiteralSet): boolean {
  return possibleByLiterals(c, doc, path, literals) && fileHolds(c, doc, literals);
}

/** `possible` short of running a `file` pattern over the text: the path and the literals looked up once per document. */
function possibleByLiterals(c: CompiledContext, doc: Document, path: string, literals: LiteralSet): boolean {
  if (c.path && !c.path.test(path)) return false;
  for (const n of c.need) if (!doc.has(literals, n)) return false;
  if (c.file && !c.file.some((a) => a.literals.every((l) => doc.has(literals, l)))) return false;
  return true;
}

/** Whether the context's `file` pattern (if any) holds in the document; each regex runs once per document. */
function fileHolds(c: CompiledContext, doc: Document, literals: LiteralSet): boolean {
  return !c.file || c.file.some((a) => a.literals.every((l) => doc.has(literals, l)) && doc.test(a.re));
}

/**
 * Every literal the rules look a document up for, found in one pass per document. Kept per rule
 * list, as the callers pass one list for a whole scan.
 */
const literalSets = new WeakMap<CompiledRule[], LiteralSet>();
function literalSetOf(rules: CompiledRule[]): LiteralSet {
  let set = literalSets.get(rules);
  if (!set) {
    const all: string[] = [];
    for (const r of rules) {
      all.push(...(r.keywordList ?? []));
      for (const c of r.contexts) all.push(...c.need, ...(c.file ?? []).flatMap((a) => a.literals));
    }
    set = new LiteralSet(all);
    literalSets.set(rules, set);
  }
  return set;
}

/**
 * The tests of `passes` for a window of the document's own text, from `from` to `to`, short of
 * its regex: its last character, and its literals looked up in the document's index.
 */
function nearby(g: Gated, doc: Document, from: number, to: number): boolean {
  if (g.last && !g.last.has(lastNonBlank(doc.text, from, to))) return false;
  return literalsWithin(g, doc, from, to);
}

function literalsWithin(g: Gated, doc: Document, from: number, to: number): boolean {
  if (g.literal !== null && !doc.hasWithin(g.literal, g.length, from, to)) return false;
  for (const any of g.choices) if (!any.some((l) => doc.hasWithin(l.re, l.length, from, to))) return false;
  return true;
}

/** The last character of text[from, to) that `\s` does not match ('' if none). */
export function lastNonBlank(text: string, from: number, to: number): string {
  for (let i = to - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c > 127 && /\s/.test(text[i]!)) continue;
    return text[i]!;
  }
  return '';
}

/**
 * Whether a pattern matches a text of its own (a call's header, a scope): the last character
 * first (a call pattern ends in `\s*$`, and most headers end otherwise: `foo(`), then the literal.
 */
function passes(g: Gated, text: string): boolean {
  if (g.last && !g.last.has(lastNonBlank(text, 0, text.length))) return false;
  return (g.literal === null || g.literal.test(text)) && g.re.test(text);
}

function inAnyOf(literals: string[]): (text: string) => boolean {
  const each = literals.map((l) => new RegExp(escape(l), 'i'));
  return (text) => each.some((r) => r.test(text));
}

export function compileRule(spec: RuleSpec): CompiledRule {
  const keywords = spec.keywords?.length ? new RegExp(spec.keywords.map(escape).join('|'), 'i') : null;
  // An empty keyword is in every text: no gate.
  const keywordList = keywords && !spec.keywords!.includes('') ? spec.keywords!.map(literalKey) : null;
  return {
    spec,
    id: spec.id,
    severity: spec.severity,
    priority: spec.priority ?? 0,
    keywords,
    inKeywords: keywords && inAnyOf(spec.keywords!),
    keywordList,
    // Custom patterns get match indices to place their `secret` group exactly; the named shapes
    // do without (indices cost an allocation per match), their secret being the match or the
    // text inside its quotes.
    // A config file's own pattern runs on the linear-time engine (see safety.ts); ours stay on V8's.
    shape: spec.secret ? (spec.tags?.includes('custom') ? new LinearRegExp(spec.secret, 'gd') : re(shapeSource(spec.secret), spec.secret in SHAPES ? 'g' : 'gd')!) : null,
    seek: (spec.secret && !spec.tags?.includes('custom') && SEEKERS[spec.secret]) || null,
    contexts: (spec.contexts ?? []).map(compileContext),
    paths: (spec.paths ?? []).map((p) => ({
      // `s`: a folder named with a newline must not hide a .env from the glob (picomatch's `**` is built on `.`).
      match: picomatch(p.glob, { dot: true, flags: 's' }),
      severity: p.severity ?? spec.severity,
    })),
    exceptPaths: spec.exceptPaths?.length ? picomatch(spec.exceptPaths, { dot: true, flags: 's' }) : null,
  };
}

export function compileRules(specs: RuleSpec[]): CompiledRule[] {
  return specs.map(compileRule);
}

/**
 * Cheapest conditions first; the structural ones (call, scope) are computed only when needed, and
 * a `file` pattern left to the site (see `liveContexts`) last of all.
 */
function holds(c: CompiledContext, site: Site, doc: Document, literals: LiteralSet): boolean {
  return mayHold(c, site, doc) && holdsBeyond(c, site, doc, literals);
}

/**
 * The tests of `holds` that read a character or two around the site, or look a literal up in the
 * document's index: no regex runs and no text is sliced. Most quoted literals of a generated page
 * (HTML attributes, `=` before them) fail all of them.
 */
function mayHold(c: CompiledContext, site: Site, doc: Document): boolean {
  if (c.arg !== undefined && site.argDelimiter !== (c.arg === 1 ? '(' : ',')) return false;
  if (c.before && !nearby(c.before, doc, site.beforeStart, site.start)) return false;
  if (c.after && !nearby(c.after, doc, site.end, site.afterEnd)) return false;
  return true;
}

/** The rest of `holds`, once `mayHold` has. */
function holdsBeyond(c: CompiledContext, site: Site, doc: Document, literals: LiteralSet): boolean {
  if (c.before && !c.before.re.test(site.before)) return false;
  if (c.after && !c.after.re.test(site.after)) return false;
  if (c.key) {
    const k = site.key;
    if (!k || !(c.key.test(k.key) || (k.also !== undefined && c.key.test(k.also)))) return false;
  }
  if (c.call) {
    // A first argument's call is ruled out by its header's last character, read without the header.
    if (c.arg === 1 && c.call.last) {
      const last = site.firstArgHeaderLast;
      if (last !== undefined && !c.call.last.has(last)) return false;
    }
    const call = site.call;
    if (!call || !passes(c.call, call.header)) return false;
    if (c.arg !== undefined && call.arg !== c.arg) return false;
  }
  if (c.scope && !passes(c.scope, site.scope)) return false;
  return fileHolds(c, doc, literals);
}

export interface Candidate {
  rule: CompiledRule;
  severity: Severity;
  secret: string;
  start: number;
  end: number;
  /** Not a real-looking token of the rule's shape: reported at the rule's placeholder severity. */
  placeholder?: boolean;
}

/**
 * Runs one shape over the text once for every rule that uses it (both UUID rules read one scan
 * and share each site's key, call and scope). Matches are not kept: each is judged by the
 * group's rules and dropped. Every match is examined, if only by the screen (each context's
 * cheap tests, read around the match); the work per match is bounded by the site's windows, so
 * a file full of UUIDs costs time, never a silently skipped secret.
 */
interface Live {
  rule: CompiledRule;
  /**
   * The rule's contexts that can hold somewhere in this document, as far as the literals looked
   * up once per document tell; a `file` pattern may be left to the sites (liveContexts).
   */
  contexts: CompiledContext[];
}

/** The shape's matches in order, as the global regex finds them; through the seeker when it has one. */
function nextMatch(rule: CompiledRule, text: string, accept?: Acceptor): RegExpExecArray | null {
  const shape = rule.shape!;
  if (rule.seek) {
    const at = shape.lastIndex > text.length ? -1 : rule.seek(text, shape.lastIndex, accept);
    if (at === -1) return null;
    shape.lastIndex = at;
  }
  const m = shape.exec(text);
  if (m && m[0] === '') shape.lastIndex++;
  return m;
}

/**
 * The incremental scan's hooks into a shape scan (core/incremental.ts): every match is offered
 * to `reuse` first, which may push the candidates an earlier version of the text gave it; every
 * match judged here is reported to `judged` with the span its verdict read (structure/site.ts).
 */
export interface ShapeHooks {
  /** Before the shape scans run: the live rules and contexts, as text, so a run can tell if they changed. */
  begin(live: string): void;
  /**
   * The shape's matches in order, as `nextMatch` finds them, except for those the hooks took over
   * themselves (pushed and recorded); null to let the engine run the shape over the whole text.
   */
  matches(group: number, rule: CompiledRule, text: string, out: Candidate[]): { next(): RegExpExecArray | null } | null;
  reuse(group: number, start: number, end: number, out: Candidate[]): boolean;
  judged(group: number, start: number, end: number, lo: number, hi: number, out: Candidate[], from: number): void;
}

/**
 * `mayHold` of every live context of a group at once, for a match given by its bounds: the
 * character before it and the last one of its line's text before it are read once for all
 * contexts, and no site is made. Null when some context has no such test (a `key` alone): every
 * match is then a candidate.
 */
function screen(group: Live[], doc: Document): Screen | null {
  const contexts = group.flatMap((l) => l.contexts);
  return contexts.every((c) => c.arg !== undefined || c.before !== undefined || c.after !== undefined) ? new Screen(contexts, doc) : null;
}

class Screen implements Acceptor {
  /** Each `before` window's last-character set as a table of ASCII codes (null: no such test). */
  private readonly lastCodes: Array<Uint8Array | null>;

  constructor(
    private readonly contexts: CompiledContext[],
    private readonly doc: Document,
  ) {
    this.lastCodes = contexts.map((c) => {
      const last = c.before?.last;
      if (!last) return null;
      const codes = new Uint8Array(128);
      for (const ch of last) if (ch.length === 1 && ch.charCodeAt(0) < 128) codes[ch.charCodeAt(0)] = 1;
      return codes;
    });
  }

  accept(start: number, end: number): boolean {
    const { contexts, doc } = this;
    const text = doc.text;
    let delimiter: string | undefined;
    let from = -1;
    // The last character of the text before the match on its line (lastNonBlank of `before`),
    // read back from the match without finding the line's start: -1 none, -2 not read yet.
    let last = -2;
    let to = -1;
    for (let k = 0; k < contexts.length; k++) {
      const c = contexts[k]!;
      if (c.arg !== undefined) {
        if (delimiter === undefined) {
          const i = delimiterBefore(text, start);
          delimiter = i === -1 ? '' : text[i]!;
        }
        if (delimiter !== (c.arg === 1 ? '(' : ',')) continue;
      }
      const b = c.before;
      if (b) {
        const codes = this.lastCodes[k];
        if (codes) {
          if (last === -2) last = lastOnLine(text, start);
          if (last === -1 || (last < 128 ? codes[last] !== 1 : !b.last!.has(String.fromCharCode(last)))) continue;
        }
        if (from === -1) from = beforeStart(doc, start);
        if (!literalsWithin(b, doc, from, start)) continue;
      }
      const a = c.after;
      if (a) {
        if (to === -1) to = afterEnd(doc, end);
        if (!nearby(a, doc, end, to)) continue;
      }
      return true;
    }
    return false;
  }
}

/**
 * The screen of an incremental scan: a match the earlier version's record already judged is
 * taken from it, and one the screen passes over is recorded as judged, with no candidate, over
 * the span the screen may have read (LINE_WINDOW around it).
 */
class RecordedScreen implements Acceptor {
  constructor(
    private readonly pass: Screen,
    private readonly hooks: ShapeHooks,
    private readonly group: number,
    private readonly out: Candidate[],
    private readonly length: number,
  ) {}

  accept(start: number, end: number): boolean {
    const { hooks, group, out, length } = this;
    if (hooks.reuse(group, start, end, out)) return false;
    if (this.pass.accept(start, end)) return true;
    hooks.judged(group, start, end, start - LINE_WINDOW > 0 ? start - LINE_WINDOW : -1, end + LINE_WINDOW <= length ? end + LINE_WINDOW : length + 1, out, out.length);
    return false;
  }
}

/**
 * The code of lastNonBlank(text, beforeStart, start): the first character back from `start`
 * that `\s` does not match, within LINE_WINDOW characters and before the line break that ends
 * the line above; -1 when there is none. (The window holds no line break: it starts on the line.)
 */
function lastOnLine(text: string, start: number): number {
  const stop = Math.max(0, start - LINE_WINDOW);
  for (let i = start - 1; i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return -1;
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c > 127 && /\s/.test(text[i]!)) continue;
    return c;
  }
  return -1;
}

function scanShape(group: Live[], doc: Document, path: string, out: Candidate[], literals: LiteralSet, hooks?: ShapeHooks, gi = 0): void {
  const first = group[0]!.rule;
  first.shape!.lastIndex = 0;
  const own = hooks ? hooks.matches(gi, first, doc.text, out) : null;
  // Per rule, which of its contexts passed mayHold at the current match.
  const may = group.map((l) => new Uint8Array(l.contexts.length));
  // The seeker passes over the matches no context could hold at. The incremental scan records
  // every match: one passed over is recorded as judged, with no candidate, over the span the
  // screen may have read (LINE_WINDOW around it: the character before it, its line's text before
  // and after it). When the scan runs from an earlier version's record (own), that record's
  // matches come as they are.
  const pass = own || !first.seek ? null : screen(group, doc);
  const accept = pass && hooks ? new RecordedScreen(pass, hooks, gi, out, doc.text.length) : (pass ?? undefined);
  for (let m = own ? own.next() : nextMatch(first, doc.text, accept); m; m = own ? own.next() : nextMatch(first, doc.text, accept)) {
    const end = m.index + m[0].length;
    if (hooks?.reuse(gi, m.index, end, out)) continue;
    const site = new Site(doc, m.index, end);
    // The cheap tests of every context first: a match none of them passes is dropped before its
    // secret is read (275k quoted literals in postmark.js's generated docs, a few thousand pass).
    let any = false;
    for (let r = 0; r < group.length; r++) {
      const { rule, contexts } = group[r]!;
      const mr = may[r]!;
      try {
        for (let i = 0; i < contexts.length; i++) if ((mr[i] = mayHold(contexts[i]!, site, doc) ? 1 : 0)) any = true;
      } catch (err) {
        throw new RuleError(rule.id, path, err);
      }
    }
    if (!any) {
      hooks?.judged(gi, m.index, end, site.lo, site.hi, out, out.length);
      continue;
    }
    const secret = m.groups?.secret ?? m[0];
    if (isNeverSecret(secret) || isReference(secret)) {
      hooks?.judged(gi, m.index, end, m.index, end, out, out.length);
      continue;
    }
    const group0 = m.indices?.groups?.secret;
    const start = group0 ? group0[0] : m.index + (m.groups?.secret !== undefined ? m[0].indexOf(secret) : 0);
    const from = out.length;
    for (let r = 0; r < group.length; r++) {
      const { rule, contexts } = group[r]!;
      const mr = may[r]!;
      let hit = false;
      try {
        for (let i = 0; i < contexts.length && !hit; i++) hit = mr[i] === 1 && holdsBeyond(contexts[i]!, site, doc, literals);
      } catch (err) {
        throw new RuleError(rule.id, path, err);
      }
      if (!hit) continue;
      const placeholder = Boolean(rule.spec.real && !looksReal(secret, rule.spec.real));
      const severity = placeholder ? rule.spec.placeholderSeverity : rule.severity;
      if (severity) out.push({ rule, severity, secret, start, end: start + secret.length, ...(placeholder ? { placeholder } : {}) });
    }
    hooks?.judged(gi, m.index, end, site.lo, site.hi, out, from);
  }
}

/**
 * Which of a rule's contexts hold for some candidate in a fragment, by index: lets the rule tests
 * prove that no context is dead (each is exercised by an example or a fixture).
 */
export function contextsHit(fragment: Fragment, rule: CompiledRule): Set<number> {
  const hit = new Set<number>();
  if (!rule.shape) return hit;
  const doc = new Document(fragment.text);
  const literals = literalSetOf([rule]);
  const shape = rule.shape instanceof LinearRegExp ? new LinearRegExp(rule.shape.source, rule.shape.flags) : new RegExp(rule.shape.source, rule.shape.flags);
  for (let m = shape.exec(doc.text); m; m = shape.exec(doc.text)) {
    if (m[0] === '') shape.lastIndex++;
    const secret = m.groups?.secret ?? m[0];
    if (isNeverSecret(secret) || isReference(secret)) continue;
    const site = new Site(doc, m.index, m.index + m[0].length);
    rule.contexts.forEach((c, i) => {
      if (possible(c, doc, fragment.path, literals) && holds(c, site, doc, literals)) hit.add(i);
    });
  }
  return hit;
}

/**
 * When rules claim overlapping spans, the most specific (highest priority) keeps it; at equal
 * priority the earlier span does. Candidates are grouped into runs of overlapping spans in text
 * order, and each run is settled on its own, so the cost is the sort.
 */
export function resolveOverlaps<T extends { start: number; end: number; rule: { priority: number } }>(cands: T[]): T[] {
  cands.sort((a, b) => a.start - b.start || b.rule.priority - a.rule.priority);
  const kept: T[] = [];
  let run: T[] = [];
  let runEnd = -1;
  const settle = () => {
    const byPriority = [...run].sort((a, b) => b.rule.priority - a.rule.priority || a.start - b.start);
    const chosen: T[] = [];
    for (const c of byPriority) if (!chosen.some((k) => c.start < k.end && k.start < c.end)) chosen.push(c);
    kept.push(...chosen.sort((a, b) => a.start - b.start));
    run = [];
  };
  for (const c of cands) {
    if (run.length && c.start >= runEnd) settle();
    run.push(c);
    runEnd = Math.max(run.length === 1 ? c.end : runEnd, c.end);
  }
  if (run.length) settle();
  return kept;
}

function toFinding(c: Candidate, doc: Document, path: string, kind: Finding['kind']): Finding {
  const s = doc.position(c.start);
  const e = doc.position(c.end);
  const spec = c.rule.spec;
  return {
    ruleId: c.rule.id,
    title: spec.title,
    severity: c.severity,
    message: spec.description,
    fix: spec.fix,
    // A placeholder leaks nothing, whatever severity a config gives the rule.
    credential: c.placeholder ? undefined : spec.credential,
    ...(c.placeholder ? { placeholder: true } : {}),
    path,
    line: s.line,
    column: s.column,
    endLine: e.line,
    endColumn: e.column,
    secret: c.secret,
    fingerprint: fingerprint(c.rule.id, c.secret, path),
    kind,
  };
}

/**
 * The rule's contexts that can hold somewhere in the document. A `file` pattern is a regex over
 * the whole text (postmark.js's bare-Client import pattern cost a tenth of the engine's time on
 * its generated docs): when another context already makes the rule run, it is left to the sites
 * that pass every other test of its context (holds), and most never do. When every context
 * left needs its file pattern, the patterns decide whether the shape runs at all, so they run here.
 */
function liveContexts(rule: CompiledRule, doc: Document, path: string, literals: LiteralSet): CompiledContext[] {
  const cheap = rule.contexts.filter((c) => possibleByLiterals(c, doc, path, literals));
  return cheap.some((c) => !c.file) ? cheap : cheap.filter((c) => fileHolds(c, doc, literals));
}

const INLINE_ALLOW = 'secret-guard:allow';

/** Content findings of one fragment, inline `secret-guard:allow` marked, in text order. */
export function detect(fragment: Fragment, rules: CompiledRule[], kind: Finding['kind'] = 'content'): Finding[] {
  return detectIn(new Document(fragment.text), fragment, rules, kind);
}

/** `detect` on a document already made of the fragment's text, with the incremental scan's hooks. */
export function detectIn(doc: Document, fragment: Fragment, rules: CompiledRule[], kind: Finding['kind'] = 'content', hooks?: ShapeHooks): Finding[] {
  const literals = literalSetOf(rules);
  const byShape = new Map<string, Live[]>();
  for (const rule of rules) {
    if (!rule.shape) continue;
    if (rule.exceptPaths?.(fragment.path)) continue;
    // The prefilter reads the path too: a Docker secret file named postmark_token.txt holds
    // nothing but the token.
    if (rule.keywordList && !rule.keywordList.some((k) => doc.has(literals, k)) && !rule.inKeywords!(fragment.path)) continue;
    let contexts: CompiledContext[];
    try {
      contexts = liveContexts(rule, doc, fragment.path, literals);
    } catch (err) {
      throw new RuleError(rule.id, fragment.path, err);
    }
    if (contexts.length === 0) continue;
    const key = `${rule.shape.source}\0${rule.shape.flags}`;
    const group = byShape.get(key);
    if (group) group.push({ rule, contexts });
    else byShape.set(key, [{ rule, contexts }]);
  }
  if (hooks) hooks.begin(liveText(byShape));
  const found: Candidate[] = [];
  let gi = 0;
  for (const group of byShape.values()) {
    try {
      scanShape(group, doc, fragment.path, found, literals, hooks, gi++);
    } catch (err) {
      throw err instanceof RuleError ? err : new RuleError(group[0]!.rule.id, fragment.path, err);
    }
  }
  if (found.length === 0) return [];
  const out: Finding[] = [];
  for (const c of resolveOverlaps(found)) {
    const f = toFinding(c, doc, fragment.path, kind);
    if (fragment.lineFilter && !fragment.lineFilter(f.line)) continue;
    if (allowedInline(doc, f.line)) f.suppressedBy = 'inline';
    out.push(f);
  }
  return out;
}

/** The live groups, rules and contexts (by index) as text: equal texts judge every site alike. */
function liveText(byShape: Map<string, Live[]>): string {
  const parts: string[] = [];
  for (const [key, group] of byShape) {
    parts.push(key);
    for (const { rule, contexts } of group) parts.push(`${rule.id}:${contexts.map((c) => rule.contexts.indexOf(c)).join(',')}`);
  }
  return parts.join('\n');
}

/**
 * An allow on the finding's own line, or on the line above when that line is the comment alone
 * (`# secret-guard:allow fixture`, `<!-- secret-guard:allow -->`): nothing but comment marks
 * before it. A trailing allow (`A=tok1 # secret-guard:allow`) names its own line only, so it
 * cannot also hide a token written on the next one.
 */
function allowedInline(doc: Document, line: number): boolean {
  if (doc.line(line - 1).includes(INLINE_ALLOW)) return true;
  if (line < 2) return false;
  const above = doc.line(line - 2);
  const at = above.indexOf(INLINE_ALLOW);
  return at >= 0 && !/[\p{L}\p{N}]/u.test(above.slice(0, at));
}

/** Path rules (`.env` files in git): the file's presence is the finding, whatever it holds. */
export function detectPath(path: string, gitState: Fragment['gitState'], rules: CompiledRule[]): Finding[] {
  if (!gitState) return [];
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.paths.length === 0) continue;
    if (rule.exceptPaths?.(path)) continue;
    const hit = rule.paths.find((p) => p.match(path));
    if (!hit) continue;
    const spec = rule.spec;
    const fix =
      gitState === 'committed'
        ? `${spec.fix} It is in the history: rotate what it held and remove it from every commit (\`secret-guard remediate\` writes the paths file for git filter-repo).`
        : gitState === 'untracked'
          ? `${spec.fix} Add it to .gitignore.`
          : `${spec.fix} It is tracked: run \`git rm --cached -- ${shellWord(path)}\`, add it to .gitignore, and rotate what it held.`;
    out.push({
      ruleId: rule.id,
      title: spec.title,
      severity: hit.severity,
      message: spec.description,
      fix,
      path,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      secret: '',
      fingerprint: fingerprint(rule.id, '', path),
      kind: 'path',
    });
  }
  return out;
}
