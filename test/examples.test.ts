/**
 * What users copy must work: the CI files in examples/, the pre-commit framework manifest, and
 * the README's hook and CI sections parse, agree with each other and use only flags the CLI has.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/table.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const flagsOf = (name: string) => new Set(Object.keys(COMMANDS.find((c) => c.name === name)!.options));
const scanFlags = flagsOf('scan');

function commands(text: string): string[] {
  return [...text.matchAll(/secret-guard (scan[^\n]*(?:\n\s+--[^\n]*)*)/g)].map((m) => m[1]!);
}

/** The argument of --range: up to the next flag or the end of the line (GitHub's `${{ … }}` holds spaces). */
const rangeOf = (cmd: string) => /--range\s+"?(.+?)"?(?=\s+--|\s*$)/m.exec(cmd)?.[1];

/** The README from the hooks section to the CI section's end: the part about hooks and CI. */
function hooksAndCi(): string {
  const readme = read('README.md');
  const start = readme.indexOf('## Commit hooks');
  const end = readme.indexOf('\n## ', readme.indexOf('## CI'));
  expect(start).toBeGreaterThan(-1);
  return readme.slice(start, end);
}

describe('examples/', () => {
  it('github-actions.yml parses, fetches full history, uploads SARIF with the permission it needs', () => {
    const text = read('examples/github-actions.yml');
    const wf = parse(text);
    expect(wf.permissions['security-events']).toBe('write');
    const steps = wf.jobs.secrets.steps;
    expect(steps[0].with['fetch-depth']).toBe(0);
    expect(steps.some((s: { uses?: string; with?: { category?: string } }) => s.uses?.startsWith('github/codeql-action/upload-sarif') && s.with?.category)).toBe(true);
    const ranges = commands(text).map(rangeOf);
    expect(ranges.length).toBeGreaterThan(0);
    for (const r of ranges) expect(r).toBe('${{ github.event.pull_request.base.sha }}..${{ github.event.pull_request.head.sha }}');
  });

  it('gitlab-ci.yml parses, clones in full, scans the merge request and publishes the secret_detection report it writes', () => {
    const job = parse(read('examples/gitlab-ci.yml'))['secret-guard'];
    expect(job.variables.GIT_DEPTH).toBe('0');
    expect(job.artifacts.reports.secret_detection).toBe('gl-secret-detection-report.json');
    const script = job.script.join('\n');
    expect(script).toContain('--output gl-secret-detection-report.json');
    expect(rangeOf(script)).toBe('$CI_MERGE_REQUEST_DIFF_BASE_SHA..${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$CI_COMMIT_SHA}');
  });

  it.each(['github-actions.yml', 'gitlab-ci.yml'])("%s installs secret-guard as the base pins it, in a worktree of the base outside the checkout, and runs only that copy", (file) => {
    const text = read(`examples/${file}`);
    const doc = parse(text);
    const lines: string[] = file === 'gitlab-ci.yml' ? doc['secret-guard'].script : doc.jobs.secrets.steps.map((s: { run?: string }) => s.run ?? '');
    const base = file === 'gitlab-ci.yml' ? '"$CI_MERGE_REQUEST_DIFF_BASE_SHA"' : '"$BASE_SHA"';
    const worktree = lines.findIndex((l) => l.includes('git worktree add --detach') && l.includes(base));
    const install = lines.findIndex((l) => /\bcd "?[^ ]+"? && npm ci\b/.test(l));
    const firstScan = lines.findIndex((l) => l.includes('secret-guard scan'));
    expect(worktree, 'a worktree of the base').toBeGreaterThan(-1);
    expect(install, 'npm ci in that worktree').toBeGreaterThanOrEqual(worktree);
    expect(firstScan).toBeGreaterThan(install);
    // Never an install in the checkout (the change's own lockfile), never npx.
    for (const l of lines) expect(l).not.toMatch(/^npm (ci|install)\b|\bnpx\b/m);
    for (const l of lines.filter((x) => x.includes('secret-guard scan'))) expect(l).toMatch(/^"?(\$RUNNER_TEMP"?\/base|\/tmp\/secret-guard-base)\/node_modules\/\.bin\/secret-guard scan /);
  });

  it('github-actions-uses.yml uses the action pinned to a commit, with inputs the action has, and uploads its SARIF output', () => {
    const action = parse(read('action.yml')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    const steps = parse(read('examples/github-actions-uses.yml')).jobs.secrets.steps as Array<{ id?: string; uses?: string; with?: Record<string, unknown>; if?: string }>;
    expect(steps[0]!.with!['fetch-depth']).toBe(0);
    const scan = steps.find((s) => s.uses?.includes('/secret-guard@'))!;
    expect(scan.uses).toMatch(/@<commit-sha>$|@[0-9a-f]{40}$/);
    for (const input of Object.keys(scan.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(upload.with!.sarif_file).toBe(`\${{ steps.${scan.id}.outputs.sarif }}`);
    expect(Object.keys(action.outputs)).toContain('sarif');
  });

  /** The README's set-up, Install and CI sections. */
  const readmeParts = () => {
    const readme = read('README.md');
    const ci = readme.indexOf('\n## CI');
    return readme.slice(0, readme.indexOf('\n## What it does')) + readme.slice(ci, readme.indexOf('\n## ', ci + 1));
  };

  it.each(['examples/github-actions.yml', 'examples/github-actions-uses.yml', 'examples/gitlab-ci.yml', 'README.md'])('%s never lets npx download secret-guard', (file) => {
    const text = file === 'README.md' ? readmeParts() : read(file);
    expect(text).toContain('secret-guard');
    expect(text).not.toMatch(/npx (--yes|-y)\b/);
    const runs = [...text.matchAll(/\bnpx((?: +--?[a-z-]+)*) +secret-guard\b/g)];
    if (file === 'README.md') expect(runs.length).toBeGreaterThan(0);
    for (const [cmd, flags] of runs) expect(flags!.trim().split(/ +/), cmd).toContain('--no');
  });

  it.each(['github-actions.yml', 'gitlab-ci.yml'])('%s uses only real scan flags, and the README gives the same --range', (file) => {
    const text = read(`examples/${file}`);
    const cmds = commands(text);
    expect(cmds.length).toBeGreaterThan(0);
    for (const c of cmds) for (const [, flag] of c.matchAll(/--([a-z-]+)/g)) expect(scanFlags).toContain(flag);
    for (const c of cmds) expect(hooksAndCi()).toContain(rangeOf(c)!);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(read('.pre-commit-hooks.yaml')) as Array<Record<string, unknown>>;
  const pkg = JSON.parse(read('package.json')) as { version: string; bin: Record<string, string> };
  const byId = new Map(hooks.map((h) => [h.id as string, h]));

  it('has the commit hook and the manual history hook, as node hooks that read git themselves', () => {
    expect(byId.get('secret-guard')).toMatchObject({ entry: 'secret-guard scan --staged', language: 'node', pass_filenames: false });
    expect(byId.get('secret-guard-history')).toMatchObject({ entry: 'secret-guard scan --history', language: 'node', pass_filenames: false, stages: ['manual'] });
    for (const h of hooks) {
      for (const key of ['id', 'name', 'entry', 'language']) expect(h[key], `${String(h.id)}.${key}`).toBeTruthy();
      // entry is run from the installed package's bin; its flags must exist.
      const [bin, command, ...flags] = String(h.entry).split(' ');
      expect(Object.keys(pkg.bin)).toContain(bin);
      expect(command).toBe('scan');
      for (const f of flags) expect(scanFlags).toContain(f.replace(/^--/, ''));
      // Stage names that every supported pre-commit accepts: 3.0 knows `commit`, not `pre-commit`;
      // 3.2+ warns about `commit`. `manual` and `commit-msg` are the same in both; `push` (the
      // push gate) is 3.0's name, which 4.x still accepts with a warning.
      for (const s of (h.stages as string[] | undefined) ?? []) expect(['manual', 'push', 'commit-msg']).toContain(s);
      expect(h.minimum_pre_commit_version).toBe('3.0.0');
    }
  });

  it("matches the README's .pre-commit-config.yaml snippet", () => {
    const block = /```yaml\n# \.pre-commit-config\.yaml\n([\s\S]*?)```/.exec(hooksAndCi());
    expect(block).not.toBeNull();
    const config = parse(block![1]!) as { repos: Array<{ rev: string; hooks: Array<{ id: string }> }> };
    expect(config.repos[0]!.rev).toBe(`v${pkg.version}`);
    const ids = config.repos[0]!.hooks.map((h) => h.id);
    expect(ids.sort()).toEqual([...byId.keys()].sort());
  });
});

describe("README's hook and CI sections", () => {
  it('use only flags that scan and install have', () => {
    const text = hooksAndCi();
    const used = [...text.matchAll(/secret-guard (scan|install)((?: --?[a-z][a-z-]*(?: [^\s`|-][^\s`|]*)?)*)/g)];
    expect(used.length).toBeGreaterThan(5);
    for (const [, command, rest] of used) {
      const known = flagsOf(command!);
      for (const [, flag] of rest!.matchAll(/--([a-z][a-z-]*)/g)) expect(known, `${command} --${flag}`).toContain(flag);
    }
  });
});
