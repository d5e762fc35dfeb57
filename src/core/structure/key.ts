/** The key a value is assigned to, lexed from the text before it on its line. */
import { MAX_KEY } from './limits.js';

export interface KeyInfo {
  key: string;
  path: string;
  /**
   * The other reading of an ambiguous `name: Word = "…"`: `Word` as the assigned key rather than
   * the declared type (`run: TOKEN="…" npm test`). A key context holds when either reading matches.
   */
  also?: string;
}

// Matched against the text before the value with trailing blanks and quotes removed.
const SPACED_KEY = /(?:^|[\s;&|(])(?:ENV|ARG|export|declare\s+-x|readonly|set|setx|setenv|SetEnv|SetEnvIf|set\s+-[gxU]{1,3})\s+([A-Za-z_][\w.-]{0,100})$/i;
const GH_SECRET_SET = /\bset\s+([A-Za-z_][\w-]{0,100})\s+(?:--body|-b)$/;
const CLI_FLAG = /(?:^|\s)--?([A-Za-z][\w-]{0,60})$/;
const CREDENTIAL_WORD = /(?:^|\s)(login|user|username|password|passwd|pass|token|secret|apikey|api_key)$/i;
const BARE_PAIR = /^\s*([A-Za-z_][\w.-]{0,100})$/;
const TYPED_NAME = /(?<![\w$])([A-Za-z_]\w{0,100})\s*:\s*&?(?:'\w{1,20}\s)?[A-Za-z_][\w.<>[\]|&]{0,60}$/;
const GO_VAR = /\b(?:var|const)\s+([A-Za-z_]\w{0,100})\s+\*?[A-Za-z_][\w.[\]]{0,60}$/;
const NAMED_VALUE = /\b(?:key|name)["']?\s*[:=]\s*["']([\w.:-]{1,100})["']/i;

/**
 * The key a value is assigned to, read from the text before it on its line:
 * `KEY=`, `KEY: `, `"key": "`, `'key' => '`, `key := `, `"key": ["` (a list value), `ENV KEY `,
 * `export KEY=`, `<Key>`, `setenv("KEY", "`, `--flag `, `login ` (netrc, msmtprc), and
 * name/value pairs on one line (`<add key="Name" value="`, `{"name": "X", "value": "`).
 * The path keeps the dotted chain (`config.postmark.token`, `Postmark__ServerToken`).
 */
export function extractKey(before: string, line: string): KeyInfo | null {
  let s = trimQuotesEnd(before);
  const quoted = /["'`]/.test(before.slice(s.length));
  const xml = /<([A-Za-z_][\w.:-]{0,100})(?:\s[^<>]{0,200})?>$/.exec(s);
  if (xml) return chain(xml[1]!);
  if (s.endsWith('|')) return tableKey(s);
  // Markdown emphasis around a label and its colon: `**SMTP User:** value`.
  if (/:(?:\*\*|__)$/.test(s)) s = s.slice(0, -2);
  if (/[:=]\s*\[$/.test(s)) s = s.slice(0, -1).replace(/[\s"'`]+$/, '');
  const op = /(=>|:=|\?\?=|\|\|=|\?=|\+=|=|:|,)$/.exec(s);
  if (!op) return spacedKey(s) ?? proseKey(s);
  s = s.slice(0, -op[1]!.length).trimEnd();
  if (op[1] === ',') {
    const arg = quotedNameAtEnd(s);
    return arg ? chain(arg) : null;
  }
  if (op[1] !== ':') {
    // A declared type between name and `=`: `token: string =`, `TOKEN: Final =`. The same text is
    // a label before a shell-style assignment (`debug: TOKEN=…` in a commit subject, `run: TOKEN=…`
    // in CI YAML). A typed declaration's value is an expression, so a bare token after the `=`
    // rules the type reading out; a quoted one keeps both readings.
    const go = GO_VAR.exec(s);
    if (go) return chain(go[1]!);
    const typed = quoted ? TYPED_NAME.exec(s) : null;
    if (typed) {
      const info = chain(typed[1]!);
      const assigned = trailingKey(s.replace(/["'`\]*]+$/, ''));
      const other = assigned === null ? null : chain(assigned);
      if (info && other && other.key !== info.key) info.also = other.key;
      return info;
    }
  }
  // Quotes, brackets and markdown emphasis around the key: `"key":`, `['key'] =`, `**KEY**:`.
  s = s.replace(/["'`\]*]+$/, '');
  const raw = trailingKey(s);
  if (!raw) return null;
  const info = chain(raw);
  if (info && /(^|_)value$/i.test(info.key)) {
    const named = NAMED_VALUE.exec(line);
    if (named) return chain(named[1]!);
  }
  if (info && op[1] === ':') {
    // A label of words (`SMTP User:`, `**Secret Key**:`, `- Server Token:`) names its value as a
    // whole: `Secret_Key` is the other reading of the key `Key`.
    const label = labelAtEnd(s);
    if (label) info.also = label;
  }
  return info;
}

/** Up to four words, no more: a label, not a sentence. */
const LABEL = /[A-Za-z][A-Za-z0-9]{0,40}(?:[ \t]+[A-Za-z][A-Za-z0-9]{0,40}){1,3}$/;
/** What may stand before a label: the line start, a list bullet, a quote, emphasis, a table bar. */
const LABEL_LEAD = /^[ \t]*(?:(?:[-*+>]|\d{1,3}[.)])[ \t]+)?[*_`|(]{0,3}[ \t]*$/;

/** The words of a label that ends `s` and starts its line or list item, joined by `_`, or undefined. */
function labelAtEnd(s: string): string | undefined {
  const m = LABEL.exec(s.slice(-200));
  if (!m) return undefined;
  const lead = s.slice(0, s.length - m[0].length);
  return LABEL_LEAD.test(lead.slice(-20)) && lead.length <= 20 ? m[0].split(/[ \t]+/).join('_') : undefined;
}

const CELL_NAME = /^[A-Za-z_][\w.:-]{0,100}$/;
const CELL_LABEL = /^[A-Za-z][A-Za-z0-9]{0,40}(?:[ \t]+[A-Za-z][A-Za-z0-9]{0,40}){1,3}$/;

/**
 * The key of a Markdown table cell: the cell before it (`| POSTMARK_SERVER_TOKEN | value |`), or
 * the row's first cell when the one before is a description (`| name | what it is | value |`).
 */
function tableKey(s: string): KeyInfo | null {
  const cells = s.split('|');
  const names = [cells[cells.length - 2], /^\s*$/.test(cells[0]!) ? cells[1] : undefined]
    .filter((c): c is string => c !== undefined)
    .map((c) => c.trim().replace(/^[`*_]{1,3}|[`*_]{1,3}$/g, ''));
  // A variable name in either cell first: a description's last word names nothing.
  const name = names.find((n) => CELL_NAME.test(n));
  if (name !== undefined) return chain(name);
  const label = names.find((n) => CELL_LABEL.test(n));
  if (label === undefined) return null;
  const words = label.split(/[ \t]+/);
  return { key: words[words.length - 1]!, path: words.join('.'), also: words.join('_') };
}

/**
 * A key named in a sentence: `the POSTMARK_SERVER_TOKEN is …`, `set your server token to …`.
 * The last word is the key, the last two its other reading (`server_token`).
 */
const PROSE_KEY = /(?:^|[\s(,;])((?:[A-Za-z][\w-]{0,40}[ \t]+)?[A-Za-z_][\w.-]{0,100})[ \t]+(?:is|was|to|as)$/i;

function proseKey(s: string): KeyInfo | null {
  // The verb first: most text before a value ends otherwise, and the pattern is tried per position.
  if (!/\s(?:is|was|to|as)$/i.test(s)) return null;
  const m = PROSE_KEY.exec(s.slice(-250));
  if (!m) return null;
  const words = m[1]!.split(/[ \t]+/);
  const info = chain(words[words.length - 1]!);
  if (info && words.length === 2) info.also = words.join('_');
  return info;
}

const QUOTES_AND_BLANKS = new Set([' ', '\t', '\r', '\n', '"', "'", '`']);

/** `s` without trailing blanks and quotes (a loop: `/[\s"'`]+$/` retries at every position). */
function trimQuotesEnd(s: string): string {
  let i = s.length;
  while (i > 0 && QUOTES_AND_BLANKS.has(s[i - 1]!)) i--;
  return s.slice(0, i);
}

/** The name in a quoted literal that ends `s` (`setenv("NAME"`), or null. */
function quotedNameAtEnd(s: string): string | null {
  const q = s[s.length - 1];
  if (q !== '"' && q !== "'") return null;
  const open = s.lastIndexOf(q, s.length - 2);
  if (open === -1 || s.length - open > 102) return null;
  const name = s.slice(open + 1, -1);
  return /^[A-Za-z_][\w.:-]*$/.test(name) ? name : null;
}

/** Keys written without an operator: `ENV KEY value`, `--token value`, `password value`. */
function spacedKey(s: string): KeyInfo | null {
  for (const re of [SPACED_KEY, GH_SECRET_SET, CLI_FLAG, CREDENTIAL_WORD, BARE_PAIR]) {
    const m = re.exec(s);
    if (m) return chain(m[1]!);
  }
  return null;
}

const KEY_CHAR = /[\w$@.:\-[\]'">]/;
const KEY_START = /[A-Za-z_$@]/;

/**
 * The key-like word that ends `s` (letters, digits and the separators of dotted, indexed and
 * arrow paths), found by walking back at most MAX_KEY characters: a regex anchored at `$` would
 * retry from every position of a long line.
 */
function trailingKey(s: string): string | null {
  let i = s.length;
  const stop = Math.max(0, s.length - MAX_KEY - 1);
  while (i > stop && KEY_CHAR.test(s[i - 1]!)) i--;
  while (i < s.length && !KEY_START.test(s[i]!)) i++;
  return i < s.length ? s.slice(i) : null;
}

function chain(raw: string): KeyInfo | null {
  const parts = raw.split(/->|__|[.:[\]'">]+/).filter(Boolean);
  const key = parts[parts.length - 1];
  return key ? { key, path: parts.join('.') } : null;
}
