/**
 * The expressions file for `git filter-repo --replace-text` (and `--replace-message`), and the
 * BFG variant when one is needed.
 *
 * filter-repo reads each line with its trailing CR/LF stripped, splits it at the LAST `==>`
 * (left: what to match, right: the replacement), then reads a `regex:`, `glob:` or `literal:`
 * prefix; no prefix means literal. There is no comment syntax, so the file holds nothing but
 * expressions. BFG reads the same syntax with one difference: it splits at the FIRST `==>`.
 *
 * So one line means the same to both tools unless the secret itself holds `==>`; the replacement
 * never does, and an `==>` cannot straddle the secret's end (the character after `==` would have
 * to be `>`, and the separator's third character is `>` only at its own end). A secret that
 * spans lines can only be matched by filter-repo, with a regex (BFG matches line by line). Only
 * for those two cases is the BFG file different, and only then is it written.
 *
 * A secret that starts with `regex:`, `glob:` or `literal:` gets an explicit `literal:` prefix,
 * which both tools read the same way; no Postmark token can start so, so normally there is none.
 * Longer secrets come first: literals are applied in file order, and a secret that holds a shorter
 * one would otherwise be broken up before it could match.
 */
import type { Credential, LeakKind } from './leaks.js';

/** What stands in the rewritten history: says what was there, and the scanner never flags it. */
const REPLACEMENTS: Record<Exclude<LeakKind, 'other'>, string> = {
  'postmark-server': '***POSTMARK_SERVER_TOKEN_REMOVED***',
  'postmark-account': '***POSTMARK_ACCOUNT_TOKEN_REMOVED***',
  'postmark-smtp': '***POSTMARK_SMTP_TOKEN_REMOVED***',
};

export function replacementFor(c: Pick<Credential, 'kind' | 'ruleIds'>): string {
  if (c.kind !== 'other') return REPLACEMENTS[c.kind];
  // Letters and underscores only: the placeholder check reads `***[A-Z_]*REMOVED***` as "never a secret".
  const name = (c.ruleIds[0] ?? 'secret').toUpperCase().replace(/[^A-Z]+/g, '_').replace(/^_|_$/g, '');
  return `***${name || 'SECRET'}_REMOVED***`;
}

/** A line starting so is read as that kind of expression, by filter-repo (texts and paths) and BFG alike. */
export const PREFIXED = /^(regex|glob|literal):/;

/**
 * `s` as a regular expression that matches exactly `s` in both Python's `re` (filter-repo, on
 * bytes) and Java's `Pattern` (BFG): every ASCII character that is not a letter, digit or `_` is
 * escaped (a backslash before a non-letter is a literal in both), control characters as `\xHH`,
 * other characters as themselves.
 */
export function escapeRegex(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (/[A-Za-z0-9_]/.test(ch) || code > 0x7f) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\${ch}`;
  }
  return out;
}

const multiline = (secret: string) => /[\r\n]/.test(secret);

/** One filter-repo expression line (without its newline). */
export function filterRepoLine(secret: string, replacement: string): string {
  if (multiline(secret)) return `regex:${escapeRegex(secret)}==>${replacement}`;
  return `${PREFIXED.test(secret) ? 'literal:' : ''}${secret}==>${replacement}`;
}

/** One BFG expression line, or null when BFG cannot match the secret at all (it spans lines). */
export function bfgLine(secret: string, replacement: string): string | null {
  if (multiline(secret)) return null;
  if (secret.includes('==>')) return `regex:${escapeRegex(secret)}==>${replacement}`;
  return filterRepoLine(secret, replacement);
}

export interface ExpressionFiles {
  filterRepo: string;
  /** Only when some line must differ for BFG. */
  bfg?: string;
  /** Secrets BFG cannot match (they span lines): filter-repo only. */
  bfgCannot: number;
}

const longestFirst = (a: Credential, b: Credential) => b.secret.length - a.secret.length || (a.secret < b.secret ? -1 : 1);

export function expressionFiles(credentials: Credential[]): ExpressionFiles {
  const sorted = [...credentials].sort(longestFirst);
  const fr: string[] = [];
  const bfg: string[] = [];
  let differs = false;
  let bfgCannot = 0;
  for (const c of sorted) {
    const replacement = replacementFor(c);
    const a = filterRepoLine(c.secret, replacement);
    const b = bfgLine(c.secret, replacement);
    fr.push(a);
    if (b === null) bfgCannot++;
    else bfg.push(b);
    if (b !== a) differs = true;
  }
  const file = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');
  return { filterRepo: file(fr), bfg: differs ? file(bfg) : undefined, bfgCannot };
}
