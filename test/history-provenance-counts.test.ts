/**
 * Holder counts on generated histories: the commits the switch-and-subtree count gives for each
 * leak are the commits whose own state holds it, read directly by keeping every commit's state
 * and naming every commit as a tip. Random DAGs (merges, several roots) whose first-parent diffs
 * add, edit, delete, rename and copy files holding a few secrets, .env files among them.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/types.js';
import type { LogCommit, RawChange } from '../src/sources/history-log.js';
import { idOf, Provenance, type Contents } from '../src/sources/history-provenance.js';
import { seeded, type Random } from './helpers/random.js';

const ZERO = '0'.repeat(40);
const PATHS = ['a', 'b', 'c', 'd/e', '.env', 'd/.env'];
const BLOBS: Record<string, string[]> = { b0: [], b1: ['S1'], b2: ['S2'], b3: ['S1', 'S2'], b4: ['S3'], b5: [] };

function finding(kind: Finding['kind'], path: string, secret: string, ruleId = 'rule'): Finding {
  return { ruleId, title: ruleId, severity: 'error', message: '', fix: '', path, line: 1, column: 1, endLine: 1, endColumn: 2, secret, fingerprint: `${ruleId}:${secret}:${path}`, kind };
}

const found = (blob: string, path: string) => (BLOBS[blob] ?? []).map((s) => finding('content', path, s));
const CONTENTS: Contents = {
  excluded: () => false,
  findingsAt: found,
  idsAt: (blob, path) => new Set(found(blob, path).map(idOf)),
  pathFindings: (path) => (path.endsWith('.env') ? [finding('path', path, '', 'dotenv')] : []),
};

const change = (status: string, oldPath: string, path: string, oldBlob: string, newBlob: string): RawChange => ({
  status,
  oldMode: oldBlob === ZERO ? '000000' : '100644',
  newMode: newBlob === ZERO ? '000000' : '100644',
  oldBlob,
  newBlob,
  oldPath,
  path,
});

/** A random history, parents first, each commit's changes its tree's diff against its first parent. */
function history(r: Random, moves = true): LogCommit[] {
  const commits: LogCommit[] = [];
  const trees: Array<Map<string, string>> = [];
  const n = r.int(20) + 2;
  for (let k = 0; k < n; k++) {
    const parents: string[] = [];
    if (k > 0 && !r.chance(0.08)) {
      parents.push(`c${r.chance(0.6) ? k - 1 : r.int(k)}`);
      if (k > 1 && r.chance(0.25)) {
        const other = `c${r.int(k)}`;
        if (other !== parents[0]) parents.push(other);
      }
    }
    const base = parents.length ? trees[Number(parents[0]!.slice(1))]! : new Map<string, string>();
    const tree = new Map(base);
    const changes: RawChange[] = [];
    const used = new Set<string>();
    const blob = () => r.pick(Object.keys(BLOBS));
    for (let i = r.int(4) + 1; i > 0; i--) {
      const path = r.pick(PATHS);
      if (used.has(path)) continue;
      const old = tree.get(path);
      const op = r.int(4);
      if (old === undefined) {
        used.add(path);
        const b = blob();
        tree.set(path, b);
        changes.push(change('A', path, path, ZERO, b));
      } else if (op === 0) {
        used.add(path);
        tree.delete(path);
        changes.push(change('D', path, path, old, ZERO));
      } else if (op === 1 && moves) {
        const to = r.pick(PATHS);
        if (used.has(to) || tree.has(to)) continue;
        used.add(path).add(to);
        const b = r.chance(0.5) ? old : blob();
        tree.delete(path);
        tree.set(to, b);
        changes.push(change('R', path, to, old, b));
      } else if (op === 2 && moves) {
        const to = r.pick(PATHS);
        if (used.has(to) || tree.has(to)) continue;
        used.add(to);
        tree.set(to, old);
        changes.push(change('C', path, to, old, old));
      } else {
        used.add(path);
        const b = blob();
        tree.set(path, b);
        changes.push(change('M', path, path, old, b));
      }
    }
    trees.push(tree);
    commits.push({ sha: `c${k}`, parents, author: 'A', email: 'a@example.test', date: '2024-01-01T00:00:00Z', message: '', changes });
  }
  return commits;
}

/** Each commit's whole tree, replayed from the diffs. */
function trees(commits: LogCommit[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const c of commits) {
    const tree = new Map(c.parents.length ? out.get(c.parents[0]!)! : []);
    for (const ch of c.changes) {
      if (ch.status === 'D' || ch.status === 'R') tree.delete(ch.oldPath);
      if (ch.status !== 'D') tree.set(ch.path, ch.newBlob);
    }
    out.set(c.sha, tree);
  }
  return out;
}

/**
 * The plain reading of what each commit holds, on whole trees: per path, the leaks there. A leak
 * is named by how it came in (secret and path it was introduced at, or the .env path); a change
 * carries the leaks its old side (the rename or copy source) held in the first parent's tree, or
 * else, in a merge, that another parent held at the same path.
 * Returns, per leak, how many commits hold it.
 */
function plainCounts(commits: LogCommit[]): Map<string, number> {
  const held = new Map<string, Map<string, Set<string>>>();
  const counts = new Map<string, number>();
  for (const c of commits) {
    const base = c.parents.length ? held.get(c.parents[0]!)! : new Map<string, Set<string>>();
    const tree = new Map(base);
    for (const ch of c.changes) {
      if (ch.status === 'D' || ch.status === 'R') tree.delete(ch.oldPath);
      if (ch.status === 'D') continue;
      const here = new Set<string>();
      const previous = base.get(ch.oldPath) ?? new Set<string>();
      if (ch.status === 'A' || ch.status === 'R' || ch.status === 'C') {
        if (ch.path.endsWith('.env')) here.add(`p\0${ch.path}`);
      } else for (const l of base.get(ch.path) ?? []) if (l.startsWith('p')) here.add(l);
      for (const secret of new Set(BLOBS[ch.newBlob] ?? [])) {
        // From the old side in the first parent, else (a merge) from another parent at the same path.
        const others = c.parents.slice(1).flatMap((p) => [...(held.get(p)?.get(ch.path) ?? [])]);
        const carried = [...previous, ...others].find((l) => l.startsWith(`c${secret}\0`));
        if (carried) here.add(carried);
        else if (!(BLOBS[ch.oldBlob] ?? []).includes(secret)) here.add(`c${secret}\0${ch.path}`);
      }
      if (here.size) tree.set(ch.path, here);
      else tree.delete(ch.path);
    }
    held.set(c.sha, tree);
    const all = new Set([...tree.values()].flatMap((h) => [...h]));
    for (const l of all) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return counts;
}

function run(commits: LogCommit[], keepAll: boolean) {
  const shas = commits.map((c) => c.sha);
  const tips = new Map(keepAll ? shas.map((s) => [s, [s]] as const) : []);
  const p = new Provenance(CONTENTS, new Set(keepAll ? shas : []));
  for (const c of commits) p.commit(c, commits.filter((k) => k.parents.includes(c.sha)).length);
  return p.settle(tips, null).findings;
}

describe('holder counts on generated histories', () => {
  it('count exactly the commits whose state holds each leak, however many states are kept', () => {
    const r = seeded(707);
    let leaks = 0;
    for (let n = 0; n < 400; n++) {
      const commits = history(r);
      const all = run(commits, true);
      const few = run(commits, false);
      const where = JSON.stringify(commits.map((c) => [c.sha, c.parents, c.changes.map((ch) => `${ch.status} ${ch.oldPath}>${ch.path} ${ch.newBlob}`)]));
      for (const f of all) {
        leaks++;
        expect(f.holders.commits, `${f.kind} ${f.secret} at ${f.path} in ${where}`).toBe(new Set(f.holders.refs).size);
      }
      expect(few.map((f) => [f.kind, f.path, f.secret, f.commit?.sha, f.holders.commits])).toEqual(all.map((f) => [f.kind, f.path, f.secret, f.commit?.sha, f.holders.commits]));
    }
    expect(leaks).toBeGreaterThan(500);
  });

  it('count, without renames or copies, the commits whose tree holds the secret at the path (or the .env file)', () => {
    const r = seeded(808);
    for (let n = 0; n < 400; n++) {
      const commits = history(r, false);
      const byCommit = trees(commits);
      for (const f of run(commits, false)) {
        const holding = [...byCommit.values()].filter((t) => (f.kind === 'path' ? t.has(f.path) : (BLOBS[t.get(f.path) ?? ''] ?? []).includes(f.secret)));
        expect(f.holders.commits, `${f.kind} ${f.secret} at ${f.path}`).toBe(holding.length);
      }
    }
  });

  it('count what a plain replay of whole trees counts, renames and copies included', () => {
    const r = seeded(909);
    for (let n = 0; n < 400; n++) {
      const commits = history(r);
      const plain = plainCounts(commits);
      for (const f of run(commits, false)) {
        const key = f.kind === 'path' ? `p\0${f.path}` : `c${f.secret}\0${f.path}`;
        expect(f.holders.commits, `${key} in ${JSON.stringify(commits.map((c) => [c.sha, c.parents, c.changes.map((ch) => `${ch.status} ${ch.oldPath}>${ch.path} ${ch.oldBlob.slice(0, 2)}>${ch.newBlob.slice(0, 2)}`)]))}`).toBe(plain.get(key) ?? 0);
      }
    }
  });
});
