/**
 * Named secret shapes. Each is a global regex whose named group `secret` (or whole match)
 * is the secret. Every quantifier is bounded or over a class disjoint from what follows it,
 * so no input can make them backtrack catastrophically.
 */

const HEX = '[0-9A-Fa-f]';

/** 8-4-4-4-12 hex, any version digit (Postmark's SDK fixtures use several), not inside a longer word. */
const UUID = `(?<![0-9A-Za-z_-])(?<secret>${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12})(?![0-9A-Za-z_-])`;

/**
 * A one-line quoted literal; the secret is what is between the quotes. An empty literal (`''`)
 * is a match of its own, so its closing quote cannot open a literal with the next opening quote
 * (`Client('', { timeout: '…' })` would read `, { timeout: ` as the secret); the engine drops it.
 */
const QUOTED = `(?<q>['"\`])(?<secret>[^'"\`\\\\\\r\\n]{0,200})\\k<q>`;

/**
 * Postmark SMTP access key: PM-T-<stream id>-<22 chars>. Both the stream id and the 22 characters
 * may hold '-', so the split is found by backtracking over at most 100 characters.
 */
export const SMTP_ACCESS_KEY_BODY = 'PM-T-[A-Za-z0-9_-]{1,100}-[A-Za-z0-9_-]{22}';
const SMTP_ACCESS_KEY = `(?<![0-9A-Za-z_-])(?<secret>${SMTP_ACCESS_KEY_BODY})(?![A-Za-z0-9_-])`;

/**
 * Postmark SMTP secret key: exactly 36 chars of the URL-safe alphabet. An access key whose stream
 * id makes it 36 characters long has the same alphabet and length; it is the username, not a secret.
 */
const SMTP_SECRET_KEY = `(?<![0-9A-Za-z_-])(?!PM-T-)(?<secret>[A-Za-z0-9_-]{36})(?![A-Za-z0-9_-])`;

/**
 * A UUID-shaped token base64-encoded, as Kubernetes Secret `data:` holds it: 36 bytes are 48
 * characters with no padding, and `echo TOKEN | base64` adds the newline (`Cg==`). Whether it
 * decodes to a token is the real-shape check's to say (placeholder.ts).
 */
const BASE64_UUID = `(?<![A-Za-z0-9+/=])(?<secret>[A-Za-z0-9+/]{48}(?:Cg==)?)(?![A-Za-z0-9+/=])`;

export const SHAPES: Record<string, string> = {
  uuid: UUID,
  'base64-uuid': BASE64_UUID,
  quoted: QUOTED,
  'postmark-smtp-access-key': SMTP_ACCESS_KEY,
  'postmark-smtp-secret-key': SMTP_SECRET_KEY,
};

/**
 * How far an attempt of a named shape's regex at a position reads: `back` characters before it
 * (lookbehind) and `ahead` from it (the longest match, backtracking, lookahead). Outside that
 * window the text cannot change whether or how the shape matches there; the incremental scan
 * (core/incremental.ts) relies on it to take an earlier version's matches in text that did not
 * change. Keep in step with the patterns above.
 */
export const REACH: Record<string, { back: number; ahead: number }> = {
  uuid: { back: 1, ahead: 36 + 1 },
  'base64-uuid': { back: 1, ahead: 48 + 4 + 1 },
  quoted: { back: 0, ahead: 1 + 200 + 1 },
  'postmark-smtp-access-key': { back: 1, ahead: 5 + 100 + 1 + 22 + 1 },
  'postmark-smtp-secret-key': { back: 1, ahead: 36 + 1 },
};

/**
 * Where the next match of a named shape starts, found faster than by trying the shape's regex at
 * every position: the UUID regex costs about ten times a scan for dashes (measured on
 * postmark.js's generated docs, 42 MB with no UUID in them). `seek(text, from)` returns the
 * first position >= from where the shape matches, or -1. The engine then runs the shape's own
 * regex from there, so the regex stays the definition: a seeker that stopped early would only
 * cost time; one must never skip a match.
 *
 * `accept.accept(start, end)`, when given, is a test every match the engine could report passes
 * (the cheap tests of the live contexts, engine.ts mayHold): a match that fails it is passed over
 * here, as the regex would have passed over it (the next attempt starts at its end), without the
 * regex, its match object or a site. 275k quoted literals in postmark.js's generated docs, a
 * fifth of them after a `(`, the rest after `=`, `:` or `,` with no Postmark word near.
 */
export type Seeker = (text: string, from: number, accept?: Acceptor) => number;

/**
 * The test a seeker passes a match by: an object with a method, not a closure. The engine made a
 * closure for each shape of each document, and V8 holds optimized code only weakly beside a
 * function's feedback: once every closure that ran it had died, a collection let the code go and
 * the next closure compiled it again (14 times in one thread of postmark.js's history; the
 * incremental scan's own closure, now Resumed.next, 16 times).
 */
export interface Acceptor {
  accept(start: number, end: number): boolean;
}

export const SEEKERS: Record<string, Seeker> = {
  // Every match has its first dash 8 characters in: visiting every dash visits every match.
  uuid: (text, from, accept) => {
    for (let i = text.indexOf('-', from + 8); i !== -1; i = text.indexOf('-', i + 1)) {
      if (text.charCodeAt(i + 5) === 45 && text.charCodeAt(i + 10) === 45 && text.charCodeAt(i + 15) === 45 && isUuidAt(text, i - 8)) {
        if (!accept || accept.accept(i - 8, i + 28)) return i - 8;
        i += 27; // the next attempt starts after the match: its last dash is 28 characters on
      }
    }
    return -1;
  },
  // Only a quote can open a match, and quotedEnd tells where the match opened there ends: a scan
  // for the next quote by a one-class regex, then quotedEnd, costs less than half the shape's own
  // regex, whose back-reference V8 tries at every position. A failed opening is passed by one
  // character, a match (accepted or not) as a whole, as the regex's scan does.
  quoted: (text, from, accept) => {
    for (let p = nextQuote(text, from); p !== -1; ) {
      const end = quotedEnd(text, p);
      if (end === -1) p = nextQuote(text, p + 1);
      else if (!accept || accept.accept(p, end)) return p;
      else p = nextQuote(text, end);
    }
    return -1;
  },
};

const QUOTE = /['"`]/g;
function nextQuote(text: string, from: number): number {
  QUOTE.lastIndex = from;
  return QUOTE.test(text) ? QUOTE.lastIndex - 1 : -1;
}

/** The characters QUOTED's secret cannot hold: the three quotes, a backslash, a line break. */
const QUOTE_STOP = new Uint8Array(128);
for (const c of '\'"`\\\r\n') QUOTE_STOP[c.charCodeAt(0)] = 1;

/**
 * Where the QUOTED match that starts at `p` ends, or -1 when none starts there: up to 200
 * characters none of which is a quote, backslash or line break, then the opening quote again.
 * The class holds no quote, so backtracking cannot find a shorter match: the first stop decides.
 */
export function quotedEnd(text: string, p: number): number {
  const q = text.charCodeAt(p);
  if (q !== 34 && q !== 39 && q !== 96) return -1;
  const max = Math.min(text.length, p + 201);
  let k = p + 1;
  for (; k < max; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 && QUOTE_STOP[c] === 1) break;
  }
  return k < text.length && text.charCodeAt(k) === q ? k + 1 : -1;
}

const HEX_CODE = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_CODE[c.charCodeAt(0)] = 1;
const WORD_CODE = new Uint8Array(128);
for (const c of '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-') WORD_CODE[c.charCodeAt(0)] = 1;
const isHexAt = (t: string, i: number) => HEX_CODE[t.charCodeAt(i)] === 1;
const isWordAt = (t: string, i: number) => WORD_CODE[t.charCodeAt(i)] === 1;

/** The UUID shape at `s`, lookarounds included, as its regex reads it (dashes already checked). */
function isUuidAt(t: string, s: number): boolean {
  if (s > 0 && isWordAt(t, s - 1)) return false;
  if (s + 36 < t.length && isWordAt(t, s + 36)) return false;
  for (let k = 0; k < 36; k++) if (k !== 8 && k !== 13 && k !== 18 && k !== 23 && !isHexAt(t, s + k)) return false;
  return true;
}

export const UUID_EXACT = new RegExp(`^${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12}$`);

export function shapeSource(secret: string): string {
  return SHAPES[secret] ?? secret;
}
