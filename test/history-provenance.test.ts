/**
 * Provenance without git: hand-built commits (first-parent diffs as `git log --raw` gives them)
 * and a table of what each blob holds. Which commit introduced each leak, how many commits hold
 * it, which tips and whether the head.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/types.js';
import type { LogCommit, RawChange } from '../src/sources/history-log.js';
import { idOf, Provenance, type Contents } from '../src/sources/history-provenance.js';

const ZERO = '0'.repeat(40);

/** Blob → the secrets its text holds. Blob names are short labels; provenance never reads them. */
type Blobs = Record<string, string[]>;

function finding(kind: Finding['kind'], path: string, secret: string, ruleId = 'postmark-server-token'): Finding {
  return { ruleId, title: ruleId, severity: 'error', message: '', fix: '', path, line: 1, column: 1, endLine: 1, endColumn: 2, secret, fingerprint: `${ruleId}:${secret}:${path}`, kind };
}

function contents(blobs: Blobs, excluded: string[] = []): Contents {
  const found = (blob: string, path: string) => (blobs[blob] ?? []).map((s) => finding('content', path, s));
  return {
    excluded: (path, mode) => excluded.includes(path) || mode === '160000',
    findingsAt: found,
    idsAt: (blob, path) => new Set(found(blob, path).map(idOf)),
    // A committed .env is a finding by its name alone.
    pathFindings: (path) => (path === '.env' || path.endsWith('/.env') ? [finding('path', path, '', 'dotenv')] : []),
  };
}

const add = (path: string, blob: string): RawChange => ({ status: 'A', oldMode: '000000', newMode: '100644', oldBlob: ZERO, newBlob: blob, oldPath: path, path });
const edit = (path: string, from: string, to: string): RawChange => ({ status: 'M', oldMode: '100644', newMode: '100644', oldBlob: from, newBlob: to, oldPath: path, path });
const del = (path: string, blob: string): RawChange => ({ status: 'D', oldMode: '100644', newMode: '000000', oldBlob: blob, newBlob: ZERO, oldPath: path, path });
const move = (from: string, to: string, blob: string, newBlob = blob): RawChange => ({ status: 'R', oldMode: '100644', newMode: '100644', oldBlob: blob, newBlob, oldPath: from, path: to });
const copy = (from: string, to: string, blob: string): RawChange => ({ status: 'C', oldMode: '100644', newMode: '100644', oldBlob: blob, newBlob: blob, oldPath: from, path: to });

const commit = (sha: string, parents: string[], changes: RawChange[]): LogCommit => ({ sha, parents, author: 'A U Thor', email: 'a@example.test', date: '2024-01-01T00:00:00Z', message: '', changes });

interface Walk {
  blobs: Blobs;
  commits: LogCommit[];
  /** Commit → ref names. */
  tips?: Record<string, string[]>;
  head?: string;
  messages?: Record<string, string[]>;
  merged?: Record<string, Record<string, string[]>>;
  excluded?: string[];
  loose?: Array<{ ref: string; files: Array<{ blob: string; path: string }>; tree: boolean }>;
}

/** Applies the commits in the order given (parents first), each with its number of children in the walk. */
function walk(w: Walk) {
  const tips = new Map(Object.entries(w.tips ?? {}));
  const p = new Provenance(contents(w.blobs, w.excluded), new Set([...tips.keys(), ...(w.head ? [w.head] : [])]));
  for (const c of w.commits) {
    const found = (w.messages?.[c.sha] ?? []).map((s) => finding('message', '<commit message>', s));
    if (found.length) p.message(c, found);
  }
  for (const c of w.commits) {
    const children = w.commits.filter((k) => k.parents.includes(c.sha)).length;
    const merged = w.merged?.[c.sha];
    p.commit(c, children, merged && new Map(Object.entries(merged).map(([path, secrets]) => [path, new Set(secrets.map((s) => idOf(finding('content', path, s))))])));
  }
  for (const l of w.loose ?? []) p.loose(l.ref, l.files, l.tree);
  const { findings, messages } = p.settle(tips, w.head ?? null);
  const rows = findings.map((f) => ({ path: f.path, secret: f.secret, kind: f.kind, at: f.commit?.sha, commits: f.holders.commits, refs: [...f.holders.refs].sort(), inHead: f.holders.inHead }));
  return { rows, messages };
}

describe('history provenance', () => {
  it('reports a leak once, at the commit that introduced it, and counts the commits that carry it', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], b2: ['S1'], z: [] },
      commits: [commit('c1', [], [add('a.txt', 'b1')]), commit('c2', ['c1'], [edit('a.txt', 'b1', 'b2')]), commit('c3', ['c2'], [add('z.txt', 'z')])],
      tips: { c3: ['refs/heads/main'] },
      head: 'c3',
    });
    expect(rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: ['refs/heads/main'], inHead: true }]);
  });

  it('stops counting where the file is deleted, and says the head no longer holds it', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], z: [] },
      commits: [commit('c1', [], [add('a.txt', 'b1')]), commit('c2', ['c1'], [add('z.txt', 'z')]), commit('c3', ['c2'], [del('a.txt', 'b1')]), commit('c4', ['c3'], [edit('z.txt', 'z', 'z')])],
      tips: { c4: ['refs/heads/main'] },
      head: 'c4',
    });
    expect(rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 2, refs: [], inHead: false }]);
  });

  it('reports a secret removed and added again at the same path once, counting both stretches', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], clean: [], b3: ['S1'], z: [] },
      commits: [
        commit('c1', [], [add('a.txt', 'b1')]),
        commit('c2', ['c1'], [edit('a.txt', 'b1', 'clean')]),
        commit('c3', ['c2'], [edit('a.txt', 'clean', 'b3')]),
        commit('c4', ['c3'], [add('z.txt', 'z')]),
      ],
      tips: { c4: ['refs/heads/main'] },
      head: 'c4',
    });
    expect(rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: ['refs/heads/main'], inHead: true }]);
  });

  it('follows a rename without a new leak, and reports a secret the rename brings at the new path', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], b2: ['S1', 'S2'], b3: ['S1', 'S2'] },
      commits: [commit('c1', [], [add('old/a.txt', 'b1')]), commit('c2', ['c1'], [move('old/a.txt', 'b.txt', 'b1', 'b2')]), commit('c3', ['c2'], [edit('b.txt', 'b2', 'b3')])],
      tips: { c3: ['refs/heads/main'] },
      head: 'c3',
    });
    expect(rows).toEqual([
      { path: 'old/a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: ['refs/heads/main'], inHead: true },
      { path: 'b.txt', secret: 'S2', kind: 'content', at: 'c2', commits: 2, refs: ['refs/heads/main'], inHead: true },
    ]);
  });

  it('reports the same secret at two paths twice, but a copy carries the leak, held while either path has it', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], z: [] },
      commits: [
        commit('c1', [], [add('a.txt', 'b1'), add('other.txt', 'b1')]),
        commit('c2', ['c1'], [copy('a.txt', 'b.txt', 'b1')]),
        commit('c3', ['c2'], [del('a.txt', 'b1')]),
        commit('c4', ['c3'], [del('b.txt', 'b1'), del('other.txt', 'b1')]),
        commit('c5', ['c4'], [add('z.txt', 'z')]),
      ],
      tips: { c5: ['refs/heads/main'] },
      head: 'c5',
    });
    expect(rows).toEqual([
      { path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: [], inHead: false },
      { path: 'other.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: [], inHead: false },
    ]);
  });

  it('reports a branch leak at the branch commit, not again at the merge, and counts both sides', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], z: [], r: [] },
      commits: [
        commit('c1', [], [add('r.txt', 'r')]),
        commit('c2', ['c1'], [add('a.txt', 'b1')]),
        commit('c3', ['c1'], [add('z.txt', 'z')]),
        // The merge's first-parent diff (against c3) adds a.txt.
        commit('m', ['c3', 'c2'], [add('a.txt', 'b1')]),
        commit('c5', ['m'], [del('a.txt', 'b1')]),
      ],
      tips: { c2: ['refs/heads/feature'], m: ['refs/tags/v1'], c5: ['refs/heads/main'] },
      head: 'c5',
    });
    expect(rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'c2', commits: 2, refs: ['refs/heads/feature', 'refs/tags/v1'], inHead: false }]);
  });

  it('in a range, a merge does not introduce what another parent already held at that path', () => {
    const base = { blobs: { b1: ['S1'] }, commits: [commit('m', ['outside1', 'outside2'], [add('a.txt', 'b1')])], tips: { m: ['refs/heads/main'] }, head: 'm' };
    expect(walk({ ...base, merged: { m: { 'a.txt': ['S1'] } } }).rows).toEqual([]);
    expect(walk(base).rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'm', commits: 1, refs: ['refs/heads/main'], inHead: true }]);
  });

  it('in a range, a secret the base already had is no leak of the range', () => {
    const { rows } = walk({ blobs: { b0: ['S1'], b1: ['S1', 'S2'] }, commits: [commit('c1', ['base'], [edit('a.txt', 'b0', 'b1')])], head: 'c1' });
    expect(rows.map((r) => r.secret)).toEqual(['S2']);
  });

  it('counts the holders of a branch that kept the file while the trunk deleted it', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], b2: ['S1'], z: [] },
      commits: [
        commit('c1', [], [add('a.txt', 'b1')]),
        commit('c2', ['c1'], [del('a.txt', 'b1')]),
        commit('c3', ['c1'], [edit('a.txt', 'b1', 'b2')]),
        commit('c4', ['c3'], [add('z.txt', 'z')]),
        commit('c5', ['c2'], [add('z.txt', 'z')]),
      ],
      tips: { c4: ['refs/heads/wip'], c5: ['refs/heads/main'] },
      head: 'c5',
    });
    expect(rows).toEqual([{ path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 3, refs: ['refs/heads/wip'], inHead: false }]);
  });

  it('reports a message leak once, at its first commit, with every commit whose message holds it', () => {
    const { rows, messages } = walk({
      blobs: { z: [] },
      commits: [commit('c1', [], [add('z.txt', 'z')]), commit('c2', ['c1'], [edit('z.txt', 'z', 'z')]), commit('c3', ['c2'], [edit('z.txt', 'z', 'z')])],
      messages: { c2: ['S1', 'S1'], c3: ['S1'] },
      tips: { c3: ['refs/heads/main'] },
      head: 'c3',
    });
    expect(rows).toEqual([{ path: '<commit message>', secret: 'S1', kind: 'message', at: 'c2', commits: 2, refs: [], inHead: false }]);
    expect(messages.map((m) => m.commits)).toEqual([['c2', 'c3']]);
  });

  it('reports a committed .env where it is added, carries it through edits, and again where a rename moves it', () => {
    const { rows } = walk({
      blobs: { e1: [], e2: [], e3: [] },
      commits: [
        commit('c1', [], [add('.env', 'e1')]),
        commit('c2', ['c1'], [edit('.env', 'e1', 'e2')]),
        commit('c3', ['c2'], [move('.env', 'config/.env', 'e2', 'e3')]),
        commit('c4', ['c3'], [del('config/.env', 'e3')]),
      ],
      tips: { c4: ['refs/heads/main'] },
      head: 'c4',
    });
    expect(rows).toEqual([
      { path: '.env', secret: '', kind: 'path', at: 'c1', commits: 2, refs: [], inHead: false },
      { path: 'config/.env', secret: '', kind: 'path', at: 'c3', commits: 1, refs: [], inHead: false },
    ]);
  });

  it('holds nothing at a path out of the scan or at a submodule', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'] },
      commits: [commit('c1', [], [add('vendor/a.txt', 'b1'), { ...add('sub', 'b1'), newMode: '160000' }])],
      excluded: ['vendor/a.txt'],
      head: 'c1',
    });
    expect(rows).toEqual([]);
  });

  it('adds a ref naming a blob or tree as a holder, and makes a leak with no commit when none held it', () => {
    const { rows } = walk({
      blobs: { b1: ['S1'], b2: ['S2'] },
      commits: [commit('c1', [], [add('a.txt', 'b1')])],
      tips: { c1: ['refs/heads/main'] },
      head: 'c1',
      loose: [{ ref: 'refs/tags/tree', tree: true, files: [{ blob: 'b1', path: 'a.txt' }, { blob: 'b2', path: '.env' }] }],
    });
    expect(rows).toEqual([
      { path: 'a.txt', secret: 'S1', kind: 'content', at: 'c1', commits: 1, refs: ['refs/heads/main', 'refs/tags/tree'], inHead: true },
      { path: '.env', secret: '', kind: 'path', at: undefined, commits: 0, refs: ['refs/tags/tree'], inHead: false },
      { path: '.env', secret: 'S2', kind: 'content', at: undefined, commits: 0, refs: ['refs/tags/tree'], inHead: false },
    ]);
  });

  it('counts holders as the tips see them, on random histories with branches, merges, renames and deletes', () => {
    // Every commit is its own tip, so its refs are read from its state directly: the count of
    // commits holding a leak, kept as switches and subtree sizes, must equal its number of refs.
    for (let seed = 1; seed <= 40; seed++) {
      let x = seed;
      const rand = (n: number) => ((x = (Math.imul(x, 48271) + 11) % 2147483647), Math.abs(x) % n);
      const blobs: Blobs = {};
      const paths = ['a', 'b', 'c', 'd', 'e'];
      const trees = new Map<string, Map<string, string>>();
      const commits: LogCommit[] = [];
      for (let i = 0; i < 60; i++) {
        const sha = `k${i}`;
        const parents = i === 0 ? [] : rand(4) === 0 && i > 2 ? [`k${rand(i)}`, `k${rand(i)}`] : [`k${rand(i)}`];
        const before = i === 0 ? new Map<string, string>() : trees.get(parents[0]!)!;
        const tree = new Map(before);
        const changes: RawChange[] = [];
        for (let n = 1 + rand(2); n > 0; n--) {
          const p = paths[rand(paths.length)]!;
          const old = tree.get(p);
          const blob = `${sha}-${p}-${n}`;
          blobs[blob] = rand(2) ? [`S${rand(3)}`] : [];
          if (changes.some((c) => c.path === p || c.oldPath === p)) continue;
          if (old === undefined) changes.push(add(p, blob)), tree.set(p, blob);
          else if (rand(4) === 0) changes.push(del(p, old)), tree.delete(p);
          else if (rand(4) === 0 && !tree.has(`${p}2`) && !changes.some((c) => c.path === `${p}2`)) {
            changes.push(move(p, `${p}2`, old, blob));
            tree.delete(p);
            tree.set(`${p}2`, blob);
          } else changes.push(edit(p, old, blob)), tree.set(p, blob);
        }
        trees.set(sha, tree);
        commits.push(commit(sha, [...new Set(parents)], changes));
      }
      const { rows } = walk({ blobs, commits, tips: Object.fromEntries(commits.map((c) => [c.sha, [c.sha]])) });
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.commits, `seed ${seed}`).toBe(r.refs.length);
    }
  });
});
