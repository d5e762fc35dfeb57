/**
 * schema/config.schema.json is the config's one definition: the loader's validator is compiled from
 * it at build time, it admits the README's example and this repository's own config, and what it
 * rejects comes out naming the file, the line and the key.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, makeRepo } from './helpers/repo.js';
import { validateConfig } from '../src/config/load.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'config.schema.json'), 'utf8')) as object;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const readmeExample = /## Configuration\n[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]!;

/** The schema as any JSON Schema tool reads it (ajv, compiled here from the file, not the build's copy). */
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'unknownKeyMessage', schemaType: 'string' });
  return ajv.compile(schema);
}

describe('config JSON Schema', () => {
  it("admits the README's example and this repository's .secret-guard.json, and the loader reads both", async () => {
    const validate = validator();
    const own = readFileSync(join(ROOT, '.secret-guard.json'), 'utf8');
    for (const text of [readmeExample, own]) {
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(JSON.parse(readmeExample).$schema).toBe('./node_modules/secret-guard/schema/config.schema.json');
    const cfg = await validateConfig(JSON.parse(readmeExample), 'README.md');
    expect(cfg.rules.map((r) => r.id)).toEqual(['internal-mail-key']);
    expect(cfg.maxFileSize).toBe(10_000_000);
    expect(cfg.remediation.consumers).toEqual([{ name: 'api', update: 'kubectl rollout restart deploy/api' }, { name: 'worker' }]);
    const repo = makeRepo({ files: { '.secret-guard.json': readmeExample, 'a.txt': 'x\n' } });
    expect(cli(['scan'], repo.dir).code).toBe(0);
    expect(cli(['rules'], repo.dir).stdout).toMatch(/^internal-mail-key\s+error\s+Our internal mail relay key/m);
  });

  it('rejects what the loader rejects', () => {
    const validate = validator();
    for (const bad of [{ ignorePath: [] }, { failOn: 'never' }, { maxFileSize: 'lots' }, { severity: { x: 'high' } }, { rules: [{ id: 'x' }] }, { remediation: { consumers: [{ update: 'x' }] } }, []]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('an unknown key is exit 2 naming the file, the line and the key, in JSON and YAML', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{\n  "ignorePaths": ["a/**"],\n  "ignorPaths": ["b/**"]\n}\n', 'a.txt': 'x\n' } });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.secret-guard\.json:3: `ignorPaths` is not a known key \(known: ignorePaths, /);
    repo.write({ '.secret-guard.json': null, '.secret-guard.yml': 'failOn: error\nremediation:\n  deploy: [make]\n  secretManger: vault\n' });
    expect(cli(['scan'], repo.dir).stderr).toMatch(/\.secret-guard\.yml:4: `remediation\.secretManger` is not a known key \(known: secretManager, /);
    repo.write({ '.secret-guard.yml': null, '.secret-guard.json': '{\n  "rules": [\n    {"id": "ok-key", "pattern": "K", "examples": ["K"], "negativeExamples": ["k"]},\n    {"id": "Bad Key"}\n  ]\n}\n' });
    expect(cli(['scan'], repo.dir).stderr).toMatch(/\.secret-guard\.json:4: `rules\[1\]\.id` must be lower-case words joined by '-'/);
  });

  it('the validator the build compiled is the schema file’s', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-schema.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
