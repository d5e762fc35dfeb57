/**
 * `remediate --verify`: asks Postmark whether a leaked token still works. The only networked
 * code in secret-guard, and opt-in.
 *
 * Server tokens: `GET /server` with `X-Postmark-Server-Token`; account tokens:
 * `GET /servers?count=1&offset=0` with `X-Postmark-Account-Token`. 200 means live, 401 with
 * `ErrorCode` 10 (bad or missing token) means revoked, anything else — another status, another
 * error code, a redirect, a timeout, no connection — is unknown. The decision reads the status and
 * `ErrorCode`, never the message text.
 *
 * Response bodies are never logged or returned: `/server` and `/servers` echo the server's live
 * `ApiTokens`. Only a live server's `Name` and `ID` are kept, for the rotation checklist. Error
 * messages are reduced to a code, since a client error may quote a header value.
 */
import { UsageError } from '../errors.js';
import type { LeakKind } from './leaks.js';

export const DEFAULT_API_URL = 'https://api.postmarkapp.com';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** A body larger than this is not read: the answers used here are a few hundred bytes. */
const MAX_BODY = 1 << 20;

export type TokenStatus = 'live' | 'revoked' | 'unknown' | 'unsupported';

export interface VerifyResult {
  status: TokenStatus;
  /** Why, in a few words: `HTTP 200`, `HTTP 401, ErrorCode 10`, `timed out after 10 s`. Never a body. */
  detail: string;
  /** A live server token's server. */
  server?: { name: string; id?: number };
}

export interface VerifyOptions {
  baseUrl: URL;
  timeoutMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The API base from SECRET_GUARD_POSTMARK_API_URL (tests point it at a local server). Plain http
 * only to this machine: a live token must not cross a network in clear text.
 */
export function apiBase(value: string | undefined): URL {
  const text = value?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`SECRET_GUARD_POSTMARK_API_URL is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new UsageError(`SECRET_GUARD_POSTMARK_API_URL must be an https URL (plain http only to 127.0.0.1, ::1 or localhost), got ${url.protocol}//${url.host}`);
  }
  if (url.username || url.password) throw new UsageError('SECRET_GUARD_POSTMARK_API_URL must not carry a user name or password');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

export function timeoutFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`SECRET_GUARD_POSTMARK_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`);
  return n;
}

export function canVerify(kind: LeakKind): boolean {
  return kind === 'postmark-server' || kind === 'postmark-account';
}

export async function verifyToken(kind: LeakKind, token: string, opts: VerifyOptions): Promise<VerifyResult> {
  if (kind === 'postmark-smtp') return { status: 'unsupported', detail: 'SMTP tokens cannot be checked over the API; only an SMTP login tells' };
  if (!canVerify(kind)) return { status: 'unsupported', detail: 'not a Postmark API token' };
  // Postmark's test token is accepted by the API and proves nothing; it is never a finding either.
  if (token === 'POSTMARK_API_TEST') return { status: 'unsupported', detail: 'the test token POSTMARK_API_TEST is never sent' };
  const server = kind === 'postmark-server';
  const url = new URL(server ? 'server' : 'servers?count=1&offset=0', opts.baseUrl);
  const headers = { Accept: 'application/json', [server ? 'X-Postmark-Server-Token' : 'X-Postmark-Account-Token']: token };
  let res: Response;
  let body: string | null;
  try {
    // redirect: 'manual' — fetch would carry the token header to wherever a redirect points.
    res = await fetch(url, { method: 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
    body = await readCapped(res);
  } catch (err) {
    return { status: 'unknown', detail: failure(err, opts.timeoutMs) };
  }
  if (res.status === 200) {
    return server ? { status: 'live', detail: 'HTTP 200', server: serverOf(body) } : { status: 'live', detail: 'HTTP 200' };
  }
  if (res.status === 401) {
    const code = errorCodeOf(body);
    if (code === 10) return { status: 'revoked', detail: 'HTTP 401, ErrorCode 10' };
    return { status: 'unknown', detail: `HTTP 401${code === undefined ? ' without an ErrorCode' : `, ErrorCode ${code}`}` };
  }
  return { status: 'unknown', detail: `HTTP ${res.status}` };
}

async function readCapped(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse(body: string | null): Record<string, unknown> | undefined {
  if (body === null) return undefined;
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorCodeOf(body: string | null): number | undefined {
  const code = parse(body)?.ErrorCode;
  return typeof code === 'number' ? code : undefined;
}

/** Name and ID only; the rest of the body (ApiTokens among it) is dropped here. */
function serverOf(body: string | null): VerifyResult['server'] {
  const o = parse(body);
  if (!o || typeof o.Name !== 'string') return undefined;
  const name = o.Name.replace(/[\u0000-\u001f\u007f`]/g, ' ').trim().slice(0, 100);
  return { name, id: typeof o.ID === 'number' ? o.ID : undefined };
}

function failure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: unknown } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return code ? `no answer (${code})` : `no answer (${typeof e?.name === 'string' ? e.name : 'error'})`;
}
