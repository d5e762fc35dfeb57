/**
 * The engine stays bounded on hostile input: long runs of keywords, separators, brackets,
 * indentation and key characters. Nothing here times anything; a catastrophic pattern or an
 * unbounded scan would hang the test into its timeout instead of passing. The static guard
 * checks every shipped pattern too.
 *
 * Bounded must not mean blind: beside every hostile run (on its line, or after it in its file) a
 * freshly generated token stands in a Postmark context, and it must be the one secret found. A
 * rule or a scan that gives up on the line, or the file, fails here.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileRules, detect } from '../../src/core/engine.js';
import { unsafeRepetition } from '../../src/core/safety.js';
import { SHAPES } from '../../src/core/shapes.js';
import { ruleSpecs } from '../helpers/rules.mjs';

const specs = ruleSpecs();
const rules = compileRules(specs);
import { TOKEN } from './spec.js';
const scan = (text: string, path = 'x.yml') => detect({ text, path }, rules);
/** The secrets found, in order. */
const secrets = (text: string, path?: string) => scan(text, path).map((f) => f.secret);

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
    const t = randomUUID();
    const env = ` POSTMARK_SERVER_TOKEN=${t}`;
    expect(secrets(`${'postmark'.repeat(200_000)}${env}`)).toEqual([t]);
    expect(secrets(`postmark ${'='.repeat(500_000)}${TOKEN}${env}`)).toEqual([t]);
    expect(secrets(`postmark ${':'.repeat(500_000)}${env}`)).toEqual([t]);
    expect(secrets(`postmark ${'-'.repeat(500_000)}${env}`)).toEqual([t]);
    expect(secrets(`postmark ${'PM-T-'.repeat(100_000)}${env}`)).toEqual([t]);
    expect(secrets(`postmark "${'a'.repeat(400_000)}"${env}`)).toEqual([t]);
  });

  it('a long run of key characters before a token, on one line', () => {
    const t = randomUUID();
    expect(secrets(`${'postmark_'.repeat(50_000)}TOKEN=${TOKEN} POSTMARK_SERVER_TOKEN=${t}`)).toEqual([t]);
    const found = scan(`${'a_'.repeat(200_000)} POSTMARK_TOKEN=${t}`);
    expect(found.map((f) => [f.ruleId, f.secret])).toEqual([['postmark-server-token', t]]);
  });

  it('deep and unbalanced brackets', () => {
    const t = randomUUID();
    expect(secrets(`postmark ${'('.repeat(200_000)}${TOKEN} POSTMARK_SERVER_TOKEN=${t}`)).toEqual([t]);
    // (A sibling key naming Postmark would make `token` a Postmark context: the real one goes first.)
    expect(secrets(`POSTMARK_SERVER_TOKEN=${t} postmark ${'{"a":'.repeat(50_000)}"token": "${TOKEN}"`)).toEqual([t]);
    expect(secrets(`[postmark]\n${'}'.repeat(200_000)}\ntoken = "${t}"`, 'a.ini')).toEqual([t]);
    expect(secrets(`postmark ${'{"a":'.repeat(50_000)}"POSTMARK_SERVER_TOKEN": "${t}"`)).toEqual([t]);
  });

  it('an indentation ladder, many sections and many blank lines', () => {
    const t = randomUUID();
    const ladder = Array.from({ length: 20_000 }, (_, i) => `${' '.repeat(2 + (i % 400))}k${i}: v`).join('\n');
    // The header is 20,000 lines up, past the window: not found, and not slow either; a key
    // that names Postmark itself, after the ladder, still is.
    expect(secrets(`postmark:\n${ladder}\n  token: ${TOKEN}\nPOSTMARK_SERVER_TOKEN: ${t}\n`)).toEqual([t]);
    expect(secrets(`${ladder}\npostmark:\n${ladder.slice(0, 4000)}\n  token: ${t}\n`)).toEqual([t]);
    const sections = Array.from({ length: 20_000 }, (_, i) => `[s${i}]\nx = ${i}`).join('\n');
    expect(secrets(`${sections}\n[postmark]\ntoken = ${t}\n`, 'a.ini')).toEqual([t]);
    // (A line naming Postmark right below `token:` would make that one a Postmark context too.)
    expect(secrets(`postmark\n${'\n'.repeat(500_000)}token: ${TOKEN}\n${'\n'.repeat(1000)}POSTMARK_SERVER_TOKEN=${t}`)).toEqual([t]);
  });

  it('every one of very many candidates is examined', () => {
    const t = randomUUID();
    const lines = Array.from({ length: 30_000 }, (_, i) => `"MessageID": "${t.slice(0, 30)}${i.toString(16).padStart(6, '0')}",`);
    lines.push(`"POSTMARK_SERVER_TOKEN": "${t}"`);
    const found = scan(`{\n${lines.join('\n')}\n}`, 'fixture.json');
    expect(found.map((f) => [f.line, f.secret])).toEqual([[30_002, t]]);
  });

  it('many quoted literals in a file that mentions postmark, on many lines or one', () => {
    const t = randomUUID();
    const calls = Array.from({ length: 50_000 }, (_, i) => `f("a${i}", 'b', \`c\`);`);
    const client = `const client = new postmark.ServerClient("${t}");`;
    expect(secrets(`import postmark from "postmark";\n${calls.join('\n')}\n${client}\n`, 'bundle.js')).toEqual([t]);
    expect(secrets(`import postmark from "postmark";${calls.join('')}${client}`, 'bundle.min.js')).toEqual([t]);
  });
});
