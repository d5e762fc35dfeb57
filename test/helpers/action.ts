/**
 * The GitHub Action (action.yml) as a runner runs it: its `scan` step's `run` line in the step's
 * shell, the step's env evaluated from the inputs (given, else action.yml's defaults), GitHub's
 * variables and files (event payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) in a temporary folder.
 * The setup-node and `npm ci` steps are not run: this checkout is already built.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { GIT_IDENTITY, tempDir } from './repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ActionStep { id?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; 'working-directory'?: string }
export interface Action {
  inputs: Record<string, { default: string; required: boolean; description: string }>;
  outputs: Record<string, { value: string; description: string }>;
  runs: { using: string; steps: ActionStep[] };
}
export const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

/** `${{ inputs.x }}` replaced as the runner would, from `given` or the input's default; an input action.yml does not declare throws. */
export function expandInputs(text: string, given: Record<string, string> = {}): string {
  return text.replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_m, name: string) => {
    if (!action.inputs[name]) throw new Error(`action.yml declares no input ${name}`);
    return given[name] ?? action.inputs[name].default;
  });
}

export interface ActionRun {
  code: number;
  out: string;
  /** What the step wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
}

/** The scan step on `eventName` with `payload`; `inputs` as a workflow's `with:`, `env` more of GitHub's variables. */
export function runActionStep(workspace: string, eventName: string, payload: unknown, opts: { inputs?: Record<string, string>; env?: Record<string, string> } = {}): ActionRun {
  const step = action.runs.steps.find((s) => s.id === 'scan')!;
  const tmp = tempDir('sg-action-');
  const files = { GITHUB_EVENT_PATH: join(tmp, 'event.json'), GITHUB_OUTPUT: join(tmp, 'output'), GITHUB_STEP_SUMMARY: join(tmp, 'summary') };
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(payload));
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...GIT_IDENTITY,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: eventName,
    RUNNER_TEMP: tmp,
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    ...files,
    ...opts.env,
    ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expandInputs(v, opts.inputs)])),
  };
  const r = spawnSync(step.shell === 'bash' ? 'bash' : 'sh', ['-e', '-c', expandInputs(step.run!, opts.inputs)], { cwd: workspace, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const outputs = Object.fromEntries(
    readFileSync(files.GITHUB_OUTPUT, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, outputs };
}
