/**
 * Severities and report formats each have one list in src/ (core/types.ts SEVERITIES and FAIL_ON,
 * scan/reporters.ts FORMATS). The config schema is JSON, so it cannot import them: this is where a
 * severity added to one and not the other shows up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/table.js';
import { FAIL_ON, SEVERITIES } from '../src/core/types.js';
import { FORMATS } from '../src/scan/reporters.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
type Node = { enum?: unknown[]; properties?: Record<string, Node>; additionalProperties?: Node; items?: Node };
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'config.schema.json'), 'utf8')) as Node;

describe('one list of severities, one of formats', () => {
  it("the config schema's severities and failOn are the code's", () => {
    expect(schema.properties!.severity!.additionalProperties!.enum).toEqual([...SEVERITIES]);
    expect(schema.properties!.rules!.items!.properties!.severity!.enum).toEqual([...SEVERITIES]);
    expect(schema.properties!.failOn!.enum).toEqual([...FAIL_ON]);
  });

  it("scan's --format and --fail-on choices are the registry's and the severities'", () => {
    const scan = COMMANDS.find((c) => c.name === 'scan')!;
    expect(scan.options.format!.choices).toEqual([...FORMATS]);
    expect(scan.options['fail-on']!.choices).toEqual([...FAIL_ON]);
    expect(FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'gitlab']);
  });
});
