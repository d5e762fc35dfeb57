/**
 * The text inside a file judged binary (a NUL in its first 8 KiB). One NUL must not hide a
 * token that sits in plain sight beside it, so a binary file that could hold a finding is read
 * the way `strings` reads it: its runs of printable ASCII of at least MIN_RUN bytes, each byte
 * kept where it was and every other byte turned into a line break. The runs stay apart, so
 * `KEY=value` lines survive and no two runs join into something neither holds. Its UTF-16 runs
 * too, as `strings -el` and `-eb` read them (a .NET assembly keeps its strings so, a tool writing
 * UTF-16 may end its text with NULs): read when a keyword is in the bytes in that form.
 *
 * A binary with no rule's keyword in its bytes or its path (images, fonts, compiled code) is
 * still skipped as binary, decided by the keyword gate's byte search without building any text.
 */
import { detect, type CompiledRule } from '../core/engine.js';
import { firstAtOrAfter } from '../core/sorted.js';
import type { Finding, Fragment } from '../core/types.js';
import { gateOf, type KeywordGate } from './gate.js';

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

/**
 * The UTF-16 runs of `buf` (printable characters a byte apart, each with a NUL beside it, in
 * either byte order), at least MIN_RUN characters: a text as long as `buf`, each run's characters
 * written from the byte where the run starts and everything else a line break, and where each
 * run starts. A character i of a run starting at byte s is the file's byte s + 2i.
 */
function wideRuns(buf: Buffer): { text: string; runs: number[][] } {
  const out = Buffer.alloc(buf.length, NL);
  const runs: number[][] = [];
  // How many characters a run starting at the printable byte i holds, a NUL after each
  // (little-endian) or before each (big-endian); the longer reading counts, so the last character
  // of a big-endian run, whose next byte is not NUL, is kept.
  const lengthAt = (i: number, side: 1 | -1) => {
    let k = 0;
    while (i + 2 * k < buf.length && printable(buf[i + 2 * k]!) && buf[i + 2 * k + side] === 0) k++;
    return k;
  };
  let i = 0;
  while (i < buf.length) {
    if (!printable(buf[i]!)) {
      i++;
      continue;
    }
    const k = Math.max(lengthAt(i, 1), i > 0 ? lengthAt(i, -1) : 0);
    if (k >= MIN_RUN) {
      for (let j = 0; j < k; j++) out[i + j] = buf[i + 2 * j]!;
      runs.push([i, k]);
      i += 2 * k;
    } else i++;
  }
  return { text: out.toString('latin1'), runs };
}

/**
 * The findings in a binary file's printable runs, or null when no rule's keyword is in its
 * bytes or its path (skip it as binary, as before). Lines and columns are the file's: the line
 * is 1 + the newline bytes before the finding, the column its byte offset in that line.
 */
export function binaryFindings(buf: Buffer, path: string, rules: CompiledRule[], gate?: KeywordGate | null, gitState?: Fragment['gitState']): Finding[] | null {
  if (gate === undefined) gate = gateOf(rules);
  const named = !gate || gate.path.test(path);
  const ascii = named || gate!.bytes(buf);
  const wide = named || gate!.wideBytes(buf);
  if (!ascii && !wide) return null;
  const fragment = (text: string) => (gitState ? { text, path, gitState } : { text, path });
  const text = ascii ? printableRuns(buf) : '';
  const found = ascii ? detect(fragment(text), rules) : [];
  // A path finding (a token-named file) comes once, from the first text read.
  const inWide = wide ? wideFindings(buf, rules, fragment).filter((f) => !ascii || f.kind === 'content') : [];
  if (!found.length && !inWide.length) return found;
  return [...atFileLines(buf, found, text, (offset) => offset), ...inWide];
}

/**
 * The content findings in a text file's bytes of the other width, read as in a binary file. A text
 * read as UTF-16 or UTF-32 (`wide`) turns ASCII bytes after it into other characters: its printable
 * ASCII runs are read (`echo … >>` onto a file PowerShell's `>` wrote). A text read as UTF-8 whose
 * first 8 KiB hold no NUL may hold UTF-16 further on: its UTF-16 runs are read (Windows
 * PowerShell's `>>` appends UTF-16 to any file). [] when there is nothing of that form to read.
 */
export function otherWidthFindings(buf: Buffer, path: string, rules: CompiledRule[], wide: boolean, gate?: KeywordGate | null, gitState?: Fragment['gitState']): Finding[] {
  if (!wide && !buf.includes(0)) return [];
  if (gate === undefined) gate = gateOf(rules);
  if (gate && !(wide ? gate.bytes(buf) : gate.wideBytes(buf))) return [];
  const fragment = (text: string) => (gitState ? { text, path, gitState } : { text, path });
  if (!wide) return wideFindings(buf, rules, fragment).filter((f) => f.kind === 'content');
  const text = printableRuns(buf);
  return atFileLines(buf, detect(fragment(text), rules).filter((f) => f.kind === 'content'), text, (offset) => offset);
}

/** Findings in the UTF-16 runs, each placed at its bytes in the file. */
function wideFindings(buf: Buffer, rules: CompiledRule[], fragment: (text: string) => Fragment): Finding[] {
  const { text, runs } = wideRuns(buf);
  if (!runs.length) return [];
  const found = detect(fragment(text), rules);
  if (!found.length) return found;
  const starts = runs.map((r) => r[0]!);
  // An offset in the text is in the run that starts last at or before it.
  const toByte = (offset: number) => {
    const r = runs[Math.max(0, firstAtOrAfter(starts, offset + 1) - 1)]!;
    return r[0]! + 2 * (offset - r[0]!);
  };
  return atFileLines(buf, found, text, toByte);
}

/**
 * The findings with lines and columns of the file: `toByte` turns an offset in `text`, the text
 * they were found in, into the file's byte.
 */
function atFileLines(buf: Buffer, found: Finding[], text: string, toByte: (offset: number) => number): Finding[] {
  if (!found.length) return found;
  // Where the text's lines start and where the file's newlines are, each found once: a position
  // is then a lookup and a binary search, so many findings in a large file cost no rescans.
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const newlines: number[] = [];
  for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, i + 1)) newlines.push(i);
  const at = (line: number, column: number) => {
    const offset = toByte((starts[line - 1] ?? 0) + column - 1);
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
