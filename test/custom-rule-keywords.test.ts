/**
 * A custom rule's keywords are searched as written, case-insensitively as a JavaScript `i` search
 * reads case: a keyword with a letter whose lower case is another string (the dotted capital I
 * of 'İZMIR', lower-cased 'i̇zmir') still finds its own text, in the config's examples and in the scan.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

describe('custom rule keywords outside ASCII', () => {
  it('find the text they name: the rule runs and reports', () => {
    const cfg = {
      rules: [
        {
          id: 'izmir-relay-key',
          pattern: '\u0130ZMIR_KEY=(?<secret>[A-Z0-9]{16})',
          keywords: ['\u0130ZMIR_KEY'],
          examples: ['\u0130ZMIR_KEY=ABCDEFGH12345678'],
          negativeExamples: ['\u0130ZMIR_KEY=short'],
        },
      ],
    };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(cfg), 'relay.env.example': '\u0130ZMIR_KEY=QWERTYUIOP123456\n' } });
    const r = cli(['scan', '--format', 'json'], repo.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([['izmir-relay-key', 'relay.env.example']]);
  });
});
