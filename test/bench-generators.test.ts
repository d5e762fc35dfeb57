/**
 * The benchmark's generators, at small sizes: the inputs must be what the bench says they are
 * (deterministic, committed, with the planted tokens where the manifest says), or its figures
 * describe something else. No timing here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain ESM JavaScript without type declarations
import { generateTree } from '../bench/gen/tree.mjs';
// @ts-expect-error plain ESM JavaScript without type declarations
import { generateHistory } from '../bench/gen/history.mjs';
import { cli } from './helpers/cli.js';
import { cleanupAll, gitIn, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

interface Planted {
  kind: string;
  path: string;
  line?: number;
  commit?: string;
}

describe('bench generators', () => {
  it('builds the same committed tree from the same seed, with every planted token found by the scan', () => {
    const a = join(tempDir(), 'tree');
    const b = join(tempDir(), 'tree');
    const params = { files: 120, bytes: 300_000, seed: 5, ignored: 4 };
    const m = generateTree(a, params);
    generateTree(b, params);
    expect(m.files).toBeGreaterThanOrEqual(120);
    expect(m.bytes).toBeGreaterThanOrEqual(300_000);
    expect(gitIn(a, ['status', '--porcelain'])).toBe('');
    expect(gitIn(a, ['rev-parse', 'HEAD^{tree}'])).toBe(gitIn(b, ['rev-parse', 'HEAD^{tree}']));
    for (const p of m.planted as Planted[]) expect(readFileSync(join(a, p.path), 'utf8').split('\n')[p.line! - 1]).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-4/);

    const r = cli(['scan', '--format', 'json'], a);
    expect(r.code).toBe(1);
    const errors = JSON.parse(r.stdout).findings.filter((f: { severity: string }) => f.severity === 'error');
    expect(errors.map((f: { file: string; line: number }) => `${f.file}:${f.line}`).sort()).toEqual((m.planted as Planted[]).map((p) => `${p.path}:${p.line}`).sort());
  });

  it('writes a history with merges, tags, a stash and tokens where the manifest says', async () => {
    const dir = join(tempDir(), 'history');
    const m = await generateHistory(dir, { commits: 400, seed: 9, initialFiles: 40 });
    const git = (...args: string[]) => gitIn(dir, args).trim();
    expect(Number(git('rev-list', '--all', '--count'))).toBeGreaterThanOrEqual(400);
    expect(Number(git('rev-list', '--all', '--merges', '--count'))).toBeGreaterThan(5);
    expect(git('tag').split('\n').length).toBeGreaterThanOrEqual(1);
    const planted = m.planted as Planted[];
    expect(planted.map((p) => p.kind).sort()).toEqual(['branch', 'main', 'main', 'main', 'main', 'merge', 'message', 'renamed', 'stash', 'tag']);
    const byKind = (k: string) => planted.find((p) => p.kind === k)!;

    // The merge resolution holds a blob that neither parent has.
    const merge = byKind('merge');
    const parents = git('rev-list', '--parents', '-n', '1', merge.commit!).split(' ').slice(1);
    expect(parents).toHaveLength(2);
    const blob = (rev: string) => gitIn(dir, ['rev-parse', `${rev}:${merge.path}`]).trim();
    expect(parents.map(blob)).not.toContain(blob(merge.commit!));
    expect(gitIn(dir, ['show', `${merge.commit}:${merge.path}`])).toMatch(/server_token: [0-9a-f-]{36}/);

    // The tag-only commit is on no branch; the branch-only one on no tag and not on main.
    const tagged = byKind('tag');
    expect(git('branch', '--contains', tagged.commit!)).toBe('');
    expect(git('tag', '--contains', tagged.commit!)).toMatch(/hotfix/);
    expect(git('branch', '--contains', byKind('branch').commit!)).toBe('spike/anymail');
    expect(git('rev-parse', 'refs/stash')).toBe(byKind('stash').commit);
    expect(git('log', '-1', '--format=%B', byKind('message').commit!)).toMatch(/POSTMARK_SERVER_TOKEN=[0-9a-f-]{36}/);
  });

  it('writes a keyword-dense history: Postmark in most files, pages edited often, every dense token found at the initial import', async () => {
    const dir = join(tempDir(), 'dense');
    const m = await generateHistory(dir, { commits: 150, seed: 11, initialFiles: 60, dense: { pages: 4, pageBytes: 20_000, pageEdits: 0.5, tokenFiles: 50 } });
    const git = (...args: string[]) => gitIn(dir, args).trim();
    const planted = m.planted as Planted[];
    const dense = planted.filter((p) => p.kind === 'dense');
    expect(dense).toHaveLength(50);
    const root = git('rev-list', '--max-parents=0', 'main');
    for (const p of dense) expect(p.commit).toBe(root);
    const files = git('ls-tree', '-r', '--name-only', 'main').split('\n');
    const mentioning = git('grep', '-il', 'postmark', 'main').split('\n');
    expect(mentioning.length / files.length).toBeGreaterThan(0.6);
    expect(Number(git('rev-list', '--count', 'main', '--', 'docs/api/page-0.html'))).toBeGreaterThan(10);

    const r = cli(['scan', '--history', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Array<{ file: string; commit?: string }>;
    const missed = planted.filter((p) => p.kind !== 'stash' && !findings.some((f) => f.file === p.path && f.commit === p.commit));
    expect(missed).toEqual([]);
  }, 120_000);
});
