/** --config and --no-config read one way by every command that loads a config (scan, rules, remediate). */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

describe('--no-config', () => {
  it('rules --no-config lists the rules the config disables, and ignores a broken config', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"disabledRules": ["dotenv-not-ignored"], "severity": {"postmark-server-token": "info"}}', 'a.txt': 'x\n' } });
    const ids = (args: string[]) => (JSON.parse(cli(['rules', '--format', 'json', ...args], repo.dir).stdout) as { rules: Array<{ id: string; severity: string }> }).rules;
    expect(ids([]).map((r) => r.id)).not.toContain('dotenv-not-ignored');
    const plain = ids(['--no-config']);
    expect(plain.map((r) => r.id)).toContain('dotenv-not-ignored');
    expect(plain.find((r) => r.id === 'postmark-server-token')?.severity).toBe('error');
    repo.write({ '.secret-guard.json': '{"ignorePath": []}' });
    expect(cli(['rules'], repo.dir).code).toBe(2);
    const r = cli(['rules', '--no-config'], repo.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('scan and remediate --no-config ignore a broken config the same way', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"ignorePath": []}', 'a.txt': 'x\n' } });
    expect(cli(['scan'], repo.dir).code).toBe(2);
    expect(cli(['scan', '--no-config'], repo.dir).code).toBe(0);
    expect(cli(['remediate'], repo.dir).code).toBe(2);
    const r = cli(['remediate', '--no-config'], repo.dir);
    expect(r.stderr).not.toMatch(/ignorePath/);
  });
});
