/**
 * SARIF 2.1.0 for GitHub code scanning: every rule in tool.driver, one result per active finding,
 * locations relative to the repository root, and our fingerprint as a partial fingerprint so code
 * scanning tracks an alert across edits the way our baseline does.
 *
 * GitHub drops a whole upload when one result lacks a physical location with a region, so every
 * result has one: a content finding points at the secret; a path finding (a committed `.env`) at
 * line 1, column 1 of the file, since the file itself is the finding; a commit-message finding at
 * the pseudo-file `commit-message/<sha>` (no such file exists in the repository: the alert names
 * the commit, and the region is the line and column of the token within its message), with the
 * commit kept as a logical location as well; an annotated tag's message likewise at
 * `tag-message/<tag object id>`.
 */
import { TAG_MESSAGE_PATH, type Finding, type RuleSpec, type Severity } from '../core/types.js';
import type { Reporter } from './types.js';
import { shownSecret, shownText } from './shown.js';
import { listed } from '../scan/passes.js';
import { changePrefix } from '../suppress/apply.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub maps ≥ 9.0 to critical, ≥ 7.0 high, ≥ 4.0 medium. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '9.0', warning: '5.0', info: '2.0' };

/** Percent-encodes each path segment, keeping the separators. */
export function pathToUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function driverRule(r: RuleSpec) {
  return {
    id: r.id,
    name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    help: { text: r.fix, markdown: `**Fix:** ${r.fix}` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['security', 'secret', ...(r.tags ?? [])], precision: 'high', 'security-severity': SECURITY_SEVERITY[r.severity] },
  };
}

/** Where GitHub shows a commit's or a tag's message finding (see the header): the pseudo-folder, the logical kind, the name's prefix. */
const MESSAGE_ARTIFACT = { commit: ['commit-message', 'commit message', 'commit'], tag: ['tag-message', 'tag message', 'tag'] } as const;

function location(f: Finding) {
  const region = { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn };
  if (f.kind === 'message') {
    // A tag message's finding names the tag object as its commit (the JSON report says so too).
    const sha = f.commit?.sha ?? 'unknown';
    const [folder, kind, prefix] = MESSAGE_ARTIFACT[f.path === TAG_MESSAGE_PATH ? 'tag' : 'commit'];
    return {
      physicalLocation: { artifactLocation: { uri: `${folder}/${sha}`, uriBaseId: '%SRCROOT%' }, region },
      logicalLocations: [{ name: sha, kind, fullyQualifiedName: `${prefix}:${sha}` }],
    };
  }
  // A path finding carries line 1, column 1 to 1 (an empty span at the top of the file).
  return { physicalLocation: { artifactLocation: { uri: pathToUri(f.path), uriBaseId: '%SRCROOT%' }, region } };
}

/** The README shipped with the package: the tool has no published home page to link to yet. */
const INFORMATION_URI = new URL('../../README.md', import.meta.url).href;

export const sarifReport: Reporter = (result, opts) => {
  const specs = opts.rules ?? [];
  const index = new Map(specs.map((r, i) => [r.id, i]));
  const results = listed(result.findings)
    .map((f) => {
      const secret = f.secret ? ` (${shownSecret(f, opts.showSecrets)})` : '';
      const where = f.commit ? ` Introduced in ${f.commit.sha.slice(0, 12)} by ${shownText(f.commit.author, opts.showSecrets)} on ${f.commit.date.slice(0, 10)}.` : '';
      return {
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
        level: LEVEL[f.severity],
        message: { text: `${changePrefix(f)}${f.title}${secret}.${where} ${f.fix}` },
        locations: [location(f)],
        partialFingerprints: { 'secretGuard/v1': f.fingerprint },
        ...(f.commit || f.suppressedByChange ? { properties: { ...(f.commit ? { commit: f.commit.sha } : {}), ...(f.suppressedByChange ? { suppressedByChange: f.suppressedByChange, approved: Boolean(f.suppressedBy) } : {}) } } : {}),
      };
    });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'secret-guard', version: opts.toolVersion, informationUri: INFORMATION_URI, rules: specs.map(driverRule) } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${pathToUri(result.root.endsWith('/') ? result.root : `${result.root}/`)}` } },
        automationDetails: { id: `secret-guard/${result.mode}/` },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
