/**
 * The engine stays bounded on hostile input: long runs of keywords, separators, brackets,
 * indentation and key characters. Nothing here times anything; a catastrophic pattern or an
 * unbounded scan would hang the test into its timeout instead of passing. The static guard
 * checks every shipped pattern too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { unsafeRepetition } from '../../src/core/safety.js';
import { SHAPES } from '../../src/core/shapes.js';
import type { RuleSpec } from '../../src/core/types.js';

const dir = new URL('../../rules/', import.meta.url);
const specs = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => parse(readFileSync(new URL(f, dir), 'utf8')) as RuleSpec);
const rules = compileRules(specs);
import { TOKEN } from './spec.js';
const scan = (text: string, path = 'x.yml') => detect({ text, path }, rules);

describe('pattern safety', () => {
  it('every shape and every context pattern of the shipped rules passes the guard', () => {
    const patterns = Object.values(SHAPES);
    for (const s of specs) for (const c of s.contexts ?? []) patterns.push(...[c.key, c.scope, c.call, c.before, c.after, c.file, c.path].filter((p): p is string => p !== undefined));
    expect(patterns.length).toBeGreaterThan(50);
    expect(patterns.filter((p) => unsafeRepetition(p) !== null)).toEqual([]);
  });
});

describe('hostile input', () => {
  it('long runs of the keyword and of separators', () => {
    expect(scan('postmark'.repeat(200_000))).toEqual([]);
    expect(scan(`postmark ${'='.repeat(500_000)}${TOKEN}`)).toEqual([]);
    expect(scan(`postmark ${':'.repeat(500_000)}`)).toEqual([]);
    expect(scan(`postmark ${'-'.repeat(500_000)}`)).toEqual([]);
    expect(scan(`postmark ${'PM-T-'.repeat(100_000)}`)).toEqual([]);
    expect(scan(`postmark "${'a'.repeat(400_000)}"`)).toEqual([]);
  });

  it('a long run of key characters before a token, on one line', () => {
    expect(scan(`${'postmark_'.repeat(50_000)}TOKEN=${TOKEN}`)).toEqual([]);
    const found = scan(`${'a_'.repeat(200_000)} POSTMARK_TOKEN=${TOKEN}`);
    expect(found.map((f) => f.ruleId)).toEqual(['postmark-server-token']);
  });

  it('deep and unbalanced brackets', () => {
    expect(scan(`postmark ${'('.repeat(200_000)}${TOKEN}`)).toEqual([]);
    expect(scan(`postmark ${'{"a":'.repeat(50_000)}"token": "${TOKEN}"`)).toEqual([]);
    expect(scan(`[postmark]\n${'}'.repeat(200_000)}\ntoken = "${TOKEN}"`, 'a.ini')).toHaveLength(1);
    expect(scan(`postmark ${'{"a":'.repeat(50_000)}`)).toEqual([]);
  });

  it('an indentation ladder, many sections and many blank lines', () => {
    const ladder = Array.from({ length: 20_000 }, (_, i) => `${' '.repeat(2 + (i % 400))}k${i}: v`).join('\n');
    // The header is 20,000 lines up, past the window: not found, and not slow either.
    expect(scan(`postmark:\n${ladder}\n  token: ${TOKEN}\n`)).toEqual([]);
    expect(scan(`${ladder}\npostmark:\n${ladder.slice(0, 4000)}\n  token: ${TOKEN}\n`)).toHaveLength(1);
    const sections = Array.from({ length: 20_000 }, (_, i) => `[s${i}]\nx = ${i}`).join('\n');
    expect(scan(`${sections}\n[postmark]\ntoken = ${TOKEN}\n`, 'a.ini')).toHaveLength(1);
    expect(scan(`postmark\n${'\n'.repeat(500_000)}token: ${TOKEN}`)).toEqual([]);
  });

  it('every one of very many candidates is examined', () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `"MessageID": "${TOKEN.slice(0, 30)}${i.toString(16).padStart(6, '0')}",`);
    lines.push(`"POSTMARK_SERVER_TOKEN": "${TOKEN}"`);
    const found = scan(`{\n${lines.join('\n')}\n}`, 'fixture.json');
    expect(found.map((f) => f.line)).toEqual([30_002]);
  });

  it('many quoted literals in a file that mentions postmark, on many lines or one', () => {
    const calls = Array.from({ length: 50_000 }, (_, i) => `f("a${i}", 'b', \`c\`);`);
    expect(scan(`import postmark from "postmark";\n${calls.join('\n')}\n`, 'bundle.js')).toEqual([]);
    expect(scan(`import postmark from "postmark";${calls.join('')}`, 'bundle.min.js')).toEqual([]);
  });
});
