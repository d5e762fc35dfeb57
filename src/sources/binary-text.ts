/**
 * The text inside a file judged binary (a NUL in its first 8 KiB). One NUL must not hide a
 * token that sits in plain sight beside it, so a binary file that could hold a finding is read
 * the way `strings` reads it: its runs of printable ASCII of at least MIN_RUN bytes, each byte
 * kept where it was and every other byte turned into a line break. The runs stay apart, so
 * `KEY=value` lines survive and no two runs join into something neither holds.
 *
 * A binary with no rule's keyword in its bytes or its path (images, fonts, compiled code) is
 * still skipped as binary, decided by the keyword gate's byte search without building any text.
 */
import { detect, type CompiledRule } from '../core/engine.js';
import { firstAtOrAfter } from '../core/sorted.js';
import type { Finding, Fragment } from '../core/types.js';
import { keywordGate, type KeywordGate } from './gate.js';

/** The shortest run kept (as `strings` does): shorter ones are mostly noise in compiled data. */
const MIN_RUN = 4;
const NL = 0x0a;

const printable = (b: number) => (b >= 0x20 && b <= 0x7e) || b === 0x09;

/**
 * The printable runs of `buf`, one character per byte (so an offset in the text is the byte's
 * offset in the file): bytes outside a run become '\n'.
 */
function printableRuns(buf: Buffer): string {
  const out = Buffer.allocUnsafe(buf.length);
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    const b = i < buf.length ? buf[i]! : NL;
    if (printable(b) || b === 0x0d) {
      out[i] = b;
      continue;
    }
    if (i < buf.length) out[i] = NL;
    if (i - start < MIN_RUN) out.fill(NL, start, i);
    start = i + 1;
  }
  return out.toString('latin1');
}

/** Built once per rule list, for the sources that do not build a gate of their own. */
const gates = new WeakMap<CompiledRule[], KeywordGate | null>();

/**
 * The findings in a binary file's printable runs, or null when no rule's keyword is in its
 * bytes or its path (skip it as binary, as before). Lines and columns are the file's: the line
 * is 1 + the newline bytes before the finding, the column its byte offset in that line.
 */
export function binaryFindings(buf: Buffer, path: string, rules: CompiledRule[], gate?: KeywordGate | null, gitState?: Fragment['gitState']): Finding[] | null {
  if (gate === undefined) {
    if (!gates.has(rules)) gates.set(rules, keywordGate(rules));
    gate = gates.get(rules)!;
  }
  if (gate && !gate.bytes(buf) && !gate.path.test(path)) return null;
  const text = printableRuns(buf);
  const found = detect(gitState ? { text, path, gitState } : { text, path }, rules);
  if (!found.length) return found;
  // Where the text's lines start and where the file's newlines are, each found once: a position
  // is then a lookup and a binary search, so many findings in a large file cost no rescans.
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const newlines: number[] = [];
  for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, i + 1)) newlines.push(i);
  const at = (line: number, column: number) => {
    const offset = (starts[line - 1] ?? 0) + column - 1;
    // How many of the file's newlines come before the offset.
    const lo = firstAtOrAfter(newlines, offset);
    return { line: lo + 1, column: offset - (lo > 0 ? newlines[lo - 1]! : -1) };
  };
  return found.map((f) => {
    if (f.kind !== 'content') return f;
    const s = at(f.line, f.column);
    const e = at(f.endLine, f.endColumn);
    return { ...f, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  });
}
