/**
 * One file's or blob's bytes to its findings, or to why they were passed over: the one pipeline
 * every source runs its content through (working tree, standard input, staged, push, history), so
 * a step added here lands in every mode. In order:
 * - size: over --max-file-size is not decoded, only searched for keywords (a source that knows
 *   the size first, from a stat or git's header, searches the bytes as they pass and hands over
 *   the size and the answer);
 * - the keyword gate: bytes that hold no rule's keyword, in a path that holds none, are clean
 *   without being decoded (sources/gate.ts);
 * - decode (sources/decode.ts); a binary file is read as its printable runs when a rule's keyword
 *   is in it (sources/binary-text.ts), else passed over as binary;
 * - a Git LFS pointer is passed over: the content lives outside the repository;
 * - detect.
 * Counting what was read and what was passed over is `record`, so the stats say the same in
 * every mode.
 */
import { detect, type CompiledRule } from '../core/engine.js';
import type { Finding, Fragment } from '../core/types.js';
import { binaryFindings, otherWidthFindings } from '../sources/binary-text.js';
import { decode, isLfsPointer } from '../sources/decode.js';
import { cleanText, gateOf, quickVerdict, type KeywordGate } from '../sources/gate.js';
import { skip, type ScanStats } from './result.js';

/**
 * The bytes, or (from a source that learned the size first) only that they are too large, and
 * whether a rule keyword is in them in any form (KeywordScan, when the source searched them as
 * they went past; undefined when it did not).
 */
export type Content = Buffer | { data: Buffer; size: number } | { tooLarge: true; size: number; keywords?: boolean };

export type Skipped = { skip: 'binary' | 'tooLarge' | 'lfsPointer'; reason: string };
/** What the content came to: its findings and the bytes read, or why it was passed over. */
export type ContentVerdict = { scanned: number; findings: Finding[] } | Skipped;

export interface ContentContext {
  rules: CompiledRule[];
  maxFileSize: number;
  /**
   * The keyword gate of `rules` (keywordGate): null when none can be built, so every file goes
   * to the engine. Left out, text skips the gate and a binary file builds it when it needs it
   * (the pre-commit hook reads a few files, and building it costs more than it saves there).
   */
  gate?: KeywordGate | null;
  /** Passed to the engine with the text: `staged` picks the commit-time fix sentence. */
  gitState?: Fragment['gitState'];
  /**
   * How a decoded text is detected, when not by the engine's `detect` as it is: history scans a
   * file's next version from the record of its previous one (same findings, less work).
   */
  detectText?: (text: string, data: Buffer) => Finding[];
}

export const tooLarge = (size: number, why = ''): Skipped => ({ skip: 'tooLarge', reason: `${size} bytes, over --max-file-size${why}` });

/**
 * A file over --max-file-size is not decoded, but its bytes were searched for every rule keyword
 * in every form decode reads (gate.ts anyForm): one with none, at a path with none, can hold no
 * finding and counts as read, as a binary with none does. Anything else was not read, and the
 * scan says so (src/scan/unread.ts: exit 2 unless accepted).
 */
function overLimit(size: number, path: string, ctx: ContentContext, keywords: boolean | undefined, buf?: Buffer): ContentVerdict {
  const gate = ctx.gate === undefined ? gateOf(ctx.rules) : ctx.gate;
  if (!gate) return tooLarge(size);
  if (gate.path.test(path)) return tooLarge(size, ' (its path names a rule keyword)');
  const holds = keywords ?? (buf ? gate.anyForm(buf) : true);
  return holds ? tooLarge(size, ' (a rule keyword is in it)') : { scanned: size, findings: [] };
}
const LFS: Skipped = { skip: 'lfsPointer', reason: 'Git LFS pointer (content lives outside the repository)' };

/** The content of the file at `path` through the pipeline. Errors of the engine (a rule's) are thrown. */
export function scanContent(content: Content, path: string, ctx: ContentContext): ContentVerdict {
  const passed = screenContent(content, path, ctx);
  return Buffer.isBuffer(passed) ? detectContent(passed, path, ctx) : passed;
}

/**
 * The pipeline's steps before any decoding (size, the keyword gate): the verdict when they give
 * one, else the bytes, for detectContent. Apart so a source can screen on one thread and detect
 * on another (history's workers).
 */
export function screenContent(content: Content, path: string, ctx: ContentContext): ContentVerdict | Buffer {
  if (!Buffer.isBuffer(content) && 'tooLarge' in content) return overLimit(content.size, path, ctx, content.keywords);
  const buf = Buffer.isBuffer(content) ? content : content.data;
  if (buf.length > ctx.maxFileSize) return overLimit(buf.length, path, ctx, undefined, buf);
  if (ctx.gate !== undefined) {
    const quick = quickVerdict(buf, path, ctx.gate);
    if (quick === 'binary') return { skip: 'binary', reason: 'binary' };
    if (quick === 'clean') return { scanned: buf.length, findings: [] };
  }
  return buf;
}

/** The rest of the pipeline, for bytes screenContent passed: decode, binary text, LFS pointer, detect. */
export function detectContent(buf: Buffer, path: string, ctx: ContentContext): ContentVerdict {
  const d = decode(buf);
  if ('binary' in d) {
    const found = binaryFindings(buf, path, ctx.rules, ctx.gate, ctx.gitState);
    return found ? { scanned: buf.length, findings: found } : { skip: 'binary', reason: d.reason ?? 'binary' };
  }
  if (isLfsPointer(d.text)) return LFS;
  const found = ctx.detectText ? ctx.detectText(d.text, buf) : detect(ctx.gitState ? { text: d.text, path, gitState: ctx.gitState } : { text: d.text, path }, ctx.rules);
  // Text of one width may hold bytes of the other after it, read as they would be in a binary file.
  const other = otherWidthFindings(buf, path, ctx.rules, d.wide === true, ctx.gate, ctx.gitState);
  return { scanned: buf.length, findings: other.length ? [...found, ...other] : found };
}

/**
 * A commit's or an annotated tag's message (`path`: `<commit message>` or `<tag message>`) to its
 * findings: the keyword gate, then the engine, as for a file's text. A message in which no rule's
 * keyword occurs yields nothing, and the gate says so without the engine (git/git's 85k commit
 * messages cost its history scan 1.7 s through `detect`); a rule whose keyword is in the
 * message's name runs on every message. `gate` null: no gate (the commit-msg hook reads one
 * message, and building the gate costs its start-up more than it saves).
 */
export function detectMessage(text: string, path: string, rules: CompiledRule[], gate: KeywordGate | null = gateOf(rules)): Finding[] {
  return cleanText(text, path, gate) ? [] : detect({ text, path }, rules, 'message');
}

/** Counts a verdict in the stats (a file read, or a skip with its reason) and returns its findings. */
export function record(stats: ScanStats, path: string, verdict: ContentVerdict | { skip: keyof ScanStats['skipped']; reason: string }): Finding[] {
  if ('skip' in verdict) {
    skip(stats, verdict.skip, path, verdict.reason);
    return [];
  }
  stats.filesScanned++;
  stats.bytesScanned += verdict.scanned;
  return verdict.findings;
}
