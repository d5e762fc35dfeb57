/**
 * The keyword gate: whether a file's or blob's bytes could hold anything a rule reports, decided
 * without decoding them. The working-tree and history sources read whole files and blobs, most of
 * which hold no rule's keyword; the staged source does not use it (a commit stages few files, and
 * building the gate would cost the hook's start-up more than it saves).
 */
import type { CompiledRule } from '../core/engine.js';

/** Where any rule's keywords could occur: in a file's bytes, or in its path. */
export interface KeywordGate {
  /** False only when no rule's keywords can match the text these bytes decode to. */
  bytes(buf: Buffer): boolean;
  /**
   * False only when no rule's keyword is in the bytes as UTF-16 (either byte order), where a
   * binary's wide strings hold it (binary-text.ts): each of its characters a byte apart.
   */
  wideBytes(buf: Buffer): boolean;
  /**
   * False only when no rule's keyword is in the bytes in any form decode could read it in: a
   * byte a character (ASCII, UTF-8, Latin-1), two or four (UTF-16, UTF-32, either byte order).
   */
  anyForm(buf: Buffer): boolean;
  /**
   * False only when no rule's keywords can match `text`, a string already (a commit message): the
   * engine's prefilter reads that text itself, so no decoding is reasoned about.
   */
  text(text: string): boolean;
  /** The longest keyword in any form, less one byte: how far an occurrence can reach back across a cut. */
  reach: number;
  path: RegExp;
}

/**
 * The engine runs a rule only where the rule's keywords regex matches the text or the path (a
 * file named for the token it holds), so a file where no rule's keywords match either yields no
 * content finding; this gate must stay in step with that prefilter in detect().
 *
 * The bytes are searched as they were read, never decoded: a string of every file would cost
 * more than all the rest of the reading (measured with `npm run bench`). They are read as Latin-1
 * (one character a byte, a copy and no decoding) a window at a time, by one regex of every
 * keyword, case-insensitive when any keyword regex is. This holds when every keyword is an ASCII
 * literal and the regexes have no flag but `i`: UTF-8 decoding keeps every ASCII byte as that
 * character and never merges one into a multi-byte sequence, and a case-insensitive non-unicode
 * regex never folds a character above U+007F to one below it, so the bytes' ASCII letters match
 * exactly where the decoded text's would.
 * Any rule this reasoning does not cover (no keywords, non-ASCII keywords, other regex syntax or
 * flags) turns the gate off and every file goes through the engine.
 */
export function keywordGate(rules: CompiledRule[]): KeywordGate | null {
  const literals = new Set<string>();
  let fold = false;
  const path: string[] = [];
  for (const r of rules) {
    if (!r.shape) continue;
    const k = r.keywords;
    if (!k) return null;
    if (/[^\x20-\x7e]/.test(k.source) || /[^i]/.test(k.flags)) return null;
    const lits = literalsOf(k.source);
    if (!lits) return null;
    if (k.flags.includes('i')) fold = true;
    for (const l of lits) literals.add(l);
    path.push(`(?:${k.source})`);
  }
  if ([...literals].some((l) => l === '')) return null; // matches every text: nothing to skip
  const flags = fold ? 'i' : '';
  // Each keyword as its bytes read as Latin-1: ASCII, so itself.
  const needles = [...literals];
  // A keyword as UTF-16 without its last byte: `p\0o\0…\0k`, which both byte orders hold.
  const wide = needles.map((l) => [...l].join('\0'));
  // As UTF-32 less its last three bytes: `p\0\0\0o…k`, which both byte orders hold.
  const wider = needles.map((l) => [...l].join('\0\0\0'));
  const pathRe = new RegExp(path.length ? path.join('|') : '(?!)', flags);
  // One alternation a form: V8 finds a plain or `i` alternation of literals at well over 1 GB/s
  // in a one-byte string, far faster than a Buffer search per keyword (bench blobs of express:
  // 210 ms against 90 ms for the plain form; 1.3 s against 90 ms for every form, whose NUL-filled
  // keywords defeated Buffer.indexOf's skipping).
  const regexOf = (set: string[]) => (set.length ? new RegExp(set.map(escapeForRegex).join('|'), flags) : null);
  const plain = regexOf(needles);
  const wideRe = regexOf(wide);
  const anyRe = regexOf([...needles, ...wide, ...wider]);
  // Windows overlap by the longest keyword form less one, so an occurrence across a window's end
  // lies whole in the next window.
  const overlap = Math.max(0, ...[...needles, ...wide, ...wider].map((n) => n.length - 1));
  const search = (buf: Buffer, re: RegExp | null) => {
    if (re === null) return false;
    // A window at a time: a page that names Postmark in its first lines is let through without
    // copying the rest of it, and a large file is never one string.
    for (let start = 0; start < buf.length; start += WINDOW) {
      if (re.test(buf.toString('latin1', Math.max(0, start - overlap), Math.min(buf.length, start + WINDOW)))) return true;
    }
    return false;
  };
  return {
    path: pathRe,
    bytes: (buf) => search(buf, plain),
    wideBytes: (buf) => search(buf, wideRe),
    anyForm: (buf) => search(buf, anyRe),
    text: (text) => plain !== null && plain.test(text),
    reach: overlap,
  };
}

/** A literal as regex source, a NUL and every syntax character escaped. */
const escapeForRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&').replace(/\0/g, '\\x00');

const built = new WeakMap<CompiledRule[], KeywordGate | null>();

/** keywordGate(rules), built once per rules array: for the sources that do not build a gate of their own. */
export function gateOf(rules: CompiledRule[]): KeywordGate | null {
  let g = built.get(rules);
  if (g === undefined) built.set(rules, (g = keywordGate(rules)));
  return g;
}

/**
 * KeywordGate.anyForm over bytes that arrive in pieces (a stream read past, a file read a piece
 * at a time), keeping only the last `reach` bytes of each piece: a file over --max-file-size is
 * never held whole, yet one that holds no keyword in any form can hold no finding.
 */
export class KeywordScan {
  found = false;
  private tail = Buffer.alloc(0);

  constructor(private readonly gate: KeywordGate) {}

  push(piece: Buffer): void {
    if (this.found || piece.length === 0) return;
    const hay = this.tail.length ? Buffer.concat([this.tail, piece]) : piece;
    if (this.gate.anyForm(hay)) this.found = true;
    else this.tail = Buffer.from(hay.subarray(Math.max(0, hay.length - this.gate.reach)));
  }
}

/** The literals of a `a|b\.c` source, or null for a source with any other regex syntax. */
function literalsOf(source: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      // `\.` is a dot; `\d`, `\b`, `\1` … are classes, anchors and references.
      if (n === undefined || /[0-9A-Za-z]/.test(n)) return null;
      cur += n;
      i++;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else if ('()[]{}^$.*+?'.includes(c)) return null;
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Bytes searched at a time. */
const WINDOW = 64 * 1024;

const LFS_MARK = Buffer.from('version https://git-lfs.github.com/spec/v1');
const SNIFF = 8192;

/** Whether `decode` could read the bytes as anything but 8-bit text (UTF-16) or an LFS pointer. */
function needsFullDecode(buf: Buffer): boolean {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) return true;
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  // isLfsPointer wants under 1024 characters; UTF-8 needs at most 4 bytes for one.
  return buf.length - bom < 4096 && buf.subarray(bom, bom + LFS_MARK.length).equals(LFS_MARK);
}

/**
 * Whether no rule can report anything in `text`, a string already (a commit message), at `path`:
 * no keyword in either (the engine's prefilter reads the path too). False without a gate.
 */
export function cleanText(text: string, path: string, gate: KeywordGate | null): boolean {
  return gate !== null && !gate.path.test(path) && !gate.text(text);
}

/**
 * What the bytes of a file at `path` are without decoding them, where the gate can tell: binary
 * (a NUL in the first 8 KiB, as decode() says), or text in which no rule can find anything.
 * Null means decode and run the engine.
 */
export function quickVerdict(buf: Buffer, path: string, gate: KeywordGate | null): 'binary' | 'clean' | null {
  if (!gate || needsFullDecode(buf)) return null;
  // NULs also fill text in a wide encoding (UTF-16 or UTF-32 without a byte-order mark): decode
  // tells it from binary, and names why what it cannot read is skipped.
  if (buf.subarray(0, SNIFF).includes(0)) return null;
  // A NUL further on may be UTF-16 after the 8-bit text (Windows PowerShell's `>>`), which
  // detectContent reads too: a keyword in it counts.
  const holds = buf.includes(0) ? gate.anyForm(buf) : gate.bytes(buf);
  return !holds && !gate.path.test(path) ? 'clean' : null;
}
