/**
 * From a history scan's findings to what remediation acts on: each leaked credential once (a
 * secret found at five paths and in a commit message is one credential to rotate and one line
 * to replace), the committed secrets files to drop from history, and counts of what was left
 * alone and why.
 */
import { secretId } from '../core/fingerprint.js';
import { TAG_MESSAGE_PATH, type CredentialKind, type Finding } from '../core/types.js';


export const isTagMessage = (f: Finding) => f.path === TAG_MESSAGE_PATH;

/** The tags (refs/tags/…) whose message holds a finding's secret. */
const tagsOf = (f: Finding): string[] => (isTagMessage(f) ? (f.holders?.refs ?? []).filter((r) => r.startsWith('refs/tags/')) : []);

/** `other`: a secret whose rule names no Postmark credential kind (a custom rule's; a base64-encoded token). */
export type LeakKind = CredentialKind | 'other';

export interface Credential {
  secret: string;
  /** `secretId(secret)`: safe to print, the same id everywhere secret-guard names this secret. */
  id: string;
  kind: LeakKind;
  /** Every rule that reported it, the one that decided `kind` first. */
  ruleIds: string[];
  /** Every place it was found, oldest introduction first. */
  findings: Finding[];
  /** Found in a commit or tag message (messages.txt holds every secret; filter-repo's --replace-message rewrites both kinds). */
  inMessages: boolean;
  /** The tags whose annotated message holds it (refs/tags/…). */
  tags: string[];
  inFiles: boolean;
  inHead: boolean;
}

export interface Leaks {
  credentials: Credential[];
  /** Committed secrets files (`.env`…) to remove from every commit: path findings at severity error. */
  files: Finding[];
  /** Path findings at a lower severity (config/database.yml): often committed on purpose, so only listed. */
  reviewFiles: Finding[];
  /** Findings whose value reads as a stand-in (`'your-token-here'`): nothing to rotate or replace. */
  placeholders: number;
  /** Findings suppressed inline (`secret-guard:allow`) or by `.secret-guard-ignore`. */
  suppressed: number;
}

/** Which kind names a secret that rules judged differently in different places: the most specific (as rule priorities rank them). */
const SPECIFIC_FIRST: LeakKind[] = ['postmark-account', 'postmark-smtp', 'postmark-server', 'other'];
/** Order of the sections: the widest credential first. */
const SHOWN_ORDER: LeakKind[] = ['postmark-account', 'postmark-server', 'postmark-smtp', 'other'];

const kindOf = (f: Finding): LeakKind => f.credential ?? 'other';
const dateOf = (f: Finding) => f.commit?.date ?? '';


export function collectLeaks(findings: Finding[]): Leaks {
  const leaks: Leaks = { credentials: [], files: [], reviewFiles: [], placeholders: 0, suppressed: 0 };
  const bySecret = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.suppressedBy) {
      leaks.suppressed++;
      continue;
    }
    if (f.kind === 'path') {
      (f.severity === 'error' ? leaks.files : leaks.reviewFiles).push(f);
      continue;
    }
    if (f.secret === '') continue;
    if (f.placeholder) {
      leaks.placeholders++;
      continue;
    }
    const list = bySecret.get(f.secret);
    if (list) list.push(f);
    else bySecret.set(f.secret, [f]);
  }
  for (const [secret, found] of bySecret) leaks.credentials.push(credential(secret, found));
  leaks.credentials.sort(
    (a, b) => SHOWN_ORDER.indexOf(a.kind) - SHOWN_ORDER.indexOf(b.kind) || dateOf(a.findings[0]!).localeCompare(dateOf(b.findings[0]!)) || a.id.localeCompare(b.id),
  );
  const byPath = (a: Finding, b: Finding) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  leaks.files.sort(byPath);
  leaks.reviewFiles.sort(byPath);
  return leaks;
}

function credential(secret: string, found: Finding[]): Credential {
  found.sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const kind = SPECIFIC_FIRST.find((k) => found.some((f) => kindOf(f) === k))!;
  const ruleIds = [...new Set([...found.filter((f) => kindOf(f) === kind), ...found].map((f) => f.ruleId))];
  return {
    secret,
    id: secretId(secret),
    kind,
    ruleIds,
    findings: found,
    inMessages: found.some((f) => f.kind === 'message'),
    tags: [...new Set(found.flatMap(tagsOf))].sort(),
    inFiles: found.some((f) => f.kind === 'content'),
    // HEAD's files, not HEAD's history: a message that HEAD reaches is cleaned by the rewrite alone.
    inHead: found.some((f) => f.kind === 'content' && f.holders?.inHead),
  };
}

export function hasLeaks(leaks: Leaks): boolean {
  return leaks.credentials.length > 0 || leaks.files.length > 0;
}
