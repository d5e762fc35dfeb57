/** The CI files users copy must parse and must only use flags the CLI has. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/table.js';

const scanFlags = new Set(Object.keys(COMMANDS.find((c) => c.name === 'scan')!.options));

function commands(text: string): string[] {
  return [...text.matchAll(/secret-guard (scan[^\n]*(?:\n\s+--[^\n]*)*)/g)].map((m) => m[1]!);
}

describe('examples/', () => {
  it('github-actions.yml parses, fetches full history, uploads SARIF with the permission it needs', () => {
    const text = readFileSync(new URL('../examples/github-actions.yml', import.meta.url), 'utf8');
    const wf = parse(text);
    expect(wf.permissions['security-events']).toBe('write');
    const steps = wf.jobs.secrets.steps;
    expect(steps[0].with['fetch-depth']).toBe(0);
    expect(steps.some((s: { uses?: string; with?: { category?: string } }) => s.uses?.startsWith('github/codeql-action/upload-sarif') && s.with?.category)).toBe(true);
    expect(text).toContain('${{ github.event.pull_request.base.sha }}..${{ github.event.pull_request.head.sha }}');
  });

  it('gitlab-ci.yml parses and publishes the secret_detection report it writes', () => {
    const job = parse(readFileSync(new URL('../examples/gitlab-ci.yml', import.meta.url), 'utf8'))['secret-guard'];
    expect(job.variables.GIT_DEPTH).toBe('0');
    expect(job.artifacts.reports.secret_detection).toBe('gl-secret-detection-report.json');
    expect(job.script.join('\n')).toContain('--output gl-secret-detection-report.json');
  });

  it.each(['github-actions.yml', 'gitlab-ci.yml'])('%s uses only real scan flags', (file) => {
    const text = readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8');
    const cmds = commands(text);
    expect(cmds.length).toBeGreaterThan(0);
    for (const c of cmds) for (const [, flag] of c.matchAll(/--([a-z-]+)/g)) expect(scanFlags).toContain(flag);
  });
});
