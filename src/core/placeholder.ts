/**
 * Telling real-looking secrets from placeholders. A random UUID has about 14 distinct hex digits
 * and few ascending or repeated neighbours; the placeholders people write (all zeros,
 * 11111111-1111-..., 12345678-1234-..., deadbeef-...) have few distinct digits or long runs.
 */
import { UUID_EXACT } from './shapes.js';

const HEX_ORDER = '0123456789abcdef';

/** Literals that are never a secret whatever their context. */
export function isNeverSecret(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (v === 'POSTMARK_API_TEST') return true;
  if (/^\*{2,}[A-Z_]*REMOVED\*{2,}$/.test(v)) return true;
  return false;
}

/** An environment or secret-store reference written as a string. */
export function isReference(value: string): boolean {
  return /^\$\{?[A-Za-z_]|\$\{\{|^%[A-Za-z_]+%$|^\{\{.*\}\}$|^<%=|^\$\(|^ENV\[|^env\(/.test(value.trim());
}

export function isPatternedHex(hex: string): boolean {
  const h = hex.toLowerCase().replace(/-/g, '');
  if (new Set(h).size <= 6) return true;
  let runs = 0;
  for (let i = 1; i < h.length; i++) {
    const prev = HEX_ORDER.indexOf(h[i - 1]!);
    const cur = HEX_ORDER.indexOf(h[i]!);
    if (cur === prev || cur === prev + 1 || (prev === 15 && cur === 0)) runs++;
  }
  return runs / (h.length - 1) >= 0.6;
}

const PLACEHOLDER_WORDS =
  /your|here|xxx|example|sample|placeholder|changeme|change_me|replace|dummy|fake|redacted|removed|secret_?token|token_?here|todo|insert|<[^>]*>|^test|test$|\.\.\./i;

/** A literal that reads as a stand-in for a token rather than a token. */
export function isPlaceholderText(value: string): boolean {
  const v = value.trim();
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (/^(.)\1+$/.test(v.replace(/-/g, ''))) return true;
  return false;
}

/** Whether a value looks like a real token of the named shape. */
export function looksReal(value: string, shape: string): boolean {
  if (shape === 'uuid') return UUID_EXACT.test(value) && !isPatternedHex(value);
  return !isPlaceholderText(value);
}
