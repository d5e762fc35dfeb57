/**
 * Telling real-looking secrets from placeholders. A random UUID has about 14 distinct hex digits
 * and few ascending or repeated neighbours; the placeholders people write (all zeros,
 * 11111111-1111-..., 12345678-1234-..., deadbeef-..., a1b2c3d4-e5f6-...) have few distinct
 * digits, long ascending runs (also between every other digit), or repeat a short block. Each
 * test is far out of reach of a random token: 6 or fewer distinct digits among 32 random ones
 * happens about once in 10^10, and half the neighbours ascending about never.
 */
import { UUID_EXACT } from './shapes.js';

const HEX_ORDER = '0123456789abcdef';

/**
 * Literals that are never a secret whatever their context. A literal with no letter or digit
 * (`'...'`, `'…'`, `'***'`, `'-'`) elides or masks a value; it is neither a token nor a stand-in
 * that will become one, so it is not even a placeholder warning.
 */
export function isNeverSecret(value: string): boolean {
  const v = value.trim();
  if (!/[A-Za-z0-9]/.test(v)) return true;
  if (v === 'POSTMARK_API_TEST') return true;
  if (/^\*{2,}[A-Z_]*REMOVED\*{2,}$/.test(v)) return true;
  return false;
}

/** An environment or secret-store reference written as a string. */
export function isReference(value: string): boolean {
  return /^\$\{?[A-Za-z_]|\$\{\{|^%[A-Za-z_]+%$|^%env\(|^\{\{.*\}\}$|^<%=|^#\{|^\$\(|^ENV\[|^env\(/.test(value.trim());
}

/** Share of digits that equal or follow (0-9a-f, wrapping) the digit `stride` places before. */
function ascending(h: string, stride: number): number {
  let runs = 0;
  for (let i = stride; i < h.length; i++) {
    const prev = HEX_ORDER.indexOf(h[i - stride]!);
    const cur = HEX_ORDER.indexOf(h[i]!);
    if (cur === prev || cur === prev + 1 || (prev === 15 && cur === 0)) runs++;
  }
  return runs / (h.length - stride);
}

/** Whether the digits repeat a block of at most 8 (1234abcd-1234-abcd-…) in nine places of ten. */
function periodic(h: string): boolean {
  for (let p = 2; p <= 8; p++) {
    let same = 0;
    for (let i = p; i < h.length; i++) if (h[i] === h[i - p]) same++;
    if (same / (h.length - p) >= 0.9) return true;
  }
  return false;
}

/** Length of the longest run of digits that each follow the one before (`3456789`). */
function longestStep(h: string): number {
  let best = 1;
  let run = 1;
  for (let i = 1; i < h.length; i++) {
    run = HEX_ORDER.indexOf(h[i]!) === HEX_ORDER.indexOf(h[i - 1]!) + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

/**
 * Half the neighbours ascending happens to about two random UUIDs in a million; with a counted
 * run of six or more as well (`a1b2c3d4-e5f6-7890-abcd-ef1234567890`), or three in five
 * ascending, it is out of reach. Every other digit ascending is a pattern from seven in ten
 * (`a1b2c3d4-e5f6-a7b8-…` scores nine).
 */
export function isPatternedHex(hex: string): boolean {
  const h = hex.toLowerCase().replace(/-/g, '');
  if (new Set(h).size <= 6) return true;
  const a1 = ascending(h, 1);
  return a1 >= 0.6 || (a1 >= 0.5 && longestStep(h) >= 6) || ascending(h, 2) >= 0.7 || periodic(h);
}

const PLACEHOLDER_WORDS =
  /your|here|xxx|example|sample|placeholder|changeme|change_me|replace|dummy|fake|redacted|removed|secret_?token|token_?here|todo|insert|<[^>]*>|^test|test$|\.\.\./i;

/**
 * The words stand-ins are written in. A stand-in is judged by its words as a whole: a random key
 * that happens to hold `xXx`, `here` or `Test` is one word among noise, not a sentence of them.
 */
const STAND_IN_WORDS = new Set(
  (
    'your my our the this that is an to of for with goes go put insert paste here there ' +
    'placeholder example examples sample demo change changeme me replace replaceme dummy fake mock test testing tests todo fixme tbd ' +
    'redacted removed hidden masked value string real actual generated random new own ' +
    'postmark smtp server account api access secret secrets key keys token tokens password pass passwd user username login ' +
    'stream outbound broadcast broadcasts transactional'
  ).split(' '),
);

/**
 * The words of a value: `your-smtp-key`, `YourSmtpKey`, `YOUR_SMTP_KEY`, digit runs; and, read
 * the second way, every run of one case (`EXAMPLExxxx` is `EXAMPLE` and `xxxx`).
 */
const WORDS = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g;
const CASE_RUNS = /[A-Z]+|[a-z]+|\d+/g;

/**
 * Share of the value's characters that read as stand-in text: whole words from the stand-in
 * vocabulary, runs of one repeated character (`00000`, `xxxx`), and digit runs of four or more
 * (`123456789`). A random key of the URL-safe alphabet holds such a word by chance now and then
 * (about one key in 900 holds `here`, `todo`, `xxx` or `test` as a substring), but half its
 * length made of them essentially never.
 */
function standInShare(value: string): number {
  if (value.length === 0) return 0;
  // Padding to the right length (`…-goes-here-00000`, `…Replacexxxxxx`) is stand-in text too.
  const pad = /(.)\1{2,}$/.exec(value)?.[0].length ?? 0;
  const body = value.slice(0, value.length - pad);
  const count = (words: RegExp) => {
    let n = 0;
    for (const w of body.match(words) ?? []) {
      if ((w.length >= 2 && STAND_IN_WORDS.has(w.toLowerCase())) || (w.length >= 3 && /^(.)\1+$/i.test(w)) || /^\d{4,}$/.test(w)) n += w.length;
    }
    return n;
  };
  return (pad + Math.max(count(WORDS), count(CASE_RUNS))) / value.length;
}

/** Share of neighbours that are equal or ascending in character code (`abcdef…`, `aaaa…`). */
function ascendingShare(value: string): number {
  let runs = 0;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    if (d === 0 || d === 1) runs++;
  }
  return value.length < 2 ? 1 : runs / (value.length - 1);
}

/**
 * Whether a value reads as random noise rather than words: long, mixing letters with digits or
 * cases, many distinct characters, and not mostly stand-in words or a run. Such a value is judged
 * as a whole; a placeholder-like substring inside it says nothing.
 */
function looksRandom(value: string): boolean {
  if (value.length < 16) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 && new Set(value).size >= 12 && standInShare(value) < 0.5 && ascendingShare(value) < 0.5;
}

/** A literal that reads as a stand-in for a token rather than a token. */
export function isPlaceholderText(value: string): boolean {
  const v = value.trim();
  if (/^(.)\1+$/.test(v.replace(/-/g, ''))) return true;
  if (/<[^>]*>|\.\.\./.test(v)) return true;
  if (looksRandom(v)) return false;
  return standInShare(v) >= 0.5 || PLACEHOLDER_WORDS.test(v);
}

/**
 * A random key of the URL-safe alphabet mixes cases and digits; a word-like stand-in
 * (`smtp-secret-key-goes-here-000000000`) does not, or repeats itself.
 */
function looksRandomKey(value: string): boolean {
  return looksRandom(value) && !isPlaceholderText(value);
}

/** The UUID a base64 value encodes (a trailing newline dropped), or null. */
export function decodedUuid(value: string): string | null {
  const text = Buffer.from(value, 'base64').toString('latin1').replace(/\n$/, '');
  return UUID_EXACT.test(text) ? text : null;
}

/** Whether a value looks like a real token of the named shape. */
export function looksReal(value: string, shape: string): boolean {
  if (shape === 'uuid') return UUID_EXACT.test(value) && !isPatternedHex(value);
  if (shape === 'base64-uuid') {
    const uuid = decodedUuid(value);
    return uuid !== null && !isPatternedHex(uuid);
  }
  if (shape === 'random-key') return looksRandomKey(value);
  return !isPlaceholderText(value);
}
