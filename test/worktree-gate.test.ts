/**
 * The working-tree source skips decoding files in which no rule's keywords occur. That shortcut
 * must never change a result: every rule example (positive and negative), as UTF-8, with a BOM,
 * and with latin-1 bytes around it, is read with the gate and without it, and the outcomes must
 * be the same. If the engine's own prefilter changes (it runs a rule when its keywords match the
 * text or the path), this is the test that says the gate has to follow.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules } from '../src/core/engine.js';
import type { RuleSpec } from '../src/core/types.js';
import { exampleOf } from '../src/rules/lint.js';
import { keywordGate } from '../src/sources/gate.js';
import { readEntry, type ReadContext } from '../src/sources/worktree-read.js';
import { cleanupAll, tempDir } from './helpers/repo.js';
import { ruleSpecs } from './helpers/rules.mjs';

afterAll(cleanupAll);

const specs: RuleSpec[] = ruleSpecs();
const rules = compileRules(specs);

const variants: Array<[string, (text: string) => Buffer]> = [
  ['utf-8', (t) => Buffer.from(t)],
  ['utf-8 with BOM', (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)])],
  ['latin-1 around it', (t) => Buffer.concat([Buffer.from('caf\xe9 \xff\n', 'latin1'), Buffer.from(t), Buffer.from('\n\xe9t\xe9\n', 'latin1')])],
];

describe('keyword gate of the working-tree source', () => {
  it('is on for the built-in rules', () => {
    expect(keywordGate(rules)).not.toBeNull();
  });

  it('never changes what a file yields', () => {
    const root = tempDir();
    const gated: ReadContext = { rules, maxFileSize: 5_000_000, gate: keywordGate(rules) };
    const plain: ReadContext = { ...gated, gate: null };
    let n = 0;
    // Beside the examples: a file whose name, not its text, says what it holds (a Docker secret).
    const named = { text: '6f1c2a7e-93b4-4d1e-b0a2-5c8e1f3d9a47\n', path: 'secrets/postmark_server_token.txt' };
    for (const spec of [...specs, { id: 'named-file', examples: [named] } as unknown as RuleSpec]) {
      for (const e of [...(spec.examples ?? []), ...(spec.negativeExamples ?? [])]) {
        const ex = exampleOf(e, 'example.txt');
        for (const [name, bytes] of variants) {
          const abs = join(root, String(n++), ex.path);
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, bytes(ex.text));
          const entry = { path: ex.path, abs };
          expect(readEntry(entry, gated), `${spec.id} ${ex.path} (${name})`).toEqual(readEntry(entry, plain));
        }
      }
    }
    expect(n).toBeGreaterThan(50);
  });

  it('turns itself off for a rule it cannot reason about', () => {
    const custom = (keywords?: string[]): RuleSpec => ({ id: 'custom', title: 't', description: 'd', fix: 'f', severity: 'error', keywords, secret: 'acme_[a-z0-9]{16}', contexts: [{}] });
    expect(keywordGate(compileRules([...specs, custom()]))).toBeNull();
    expect(keywordGate(compileRules([...specs, custom(['clé'])]))).toBeNull();
    expect(keywordGate(compileRules([...specs, custom(['acme_', 'a|b'])]))!.path.test('x A|B y')).toBe(true);
    expect(keywordGate(compileRules([...specs, custom(['acme_', 'a|b'])]))!.bytes(Buffer.from('x A|B y'))).toBe(true);
  });

  it('finds a keyword in the bytes in any case, at any offset, and passes over text without one', () => {
    const gate = keywordGate(rules)!;
    for (let pad = 0; pad < 9; pad++) {
      const at = (s: string) => Buffer.concat([Buffer.alloc(pad, 'x'), Buffer.from(s), Buffer.alloc(pad, 'y')]);
      for (const word of ['postmark', 'POSTMARK', 'PostMark', 'pOsTmArK', 'pm-t-', 'PM-T-']) expect(gate.bytes(at(`a ${word} b`)), word).toBe(true);
      // A keyword after a near miss that shares its end.
      expect(gate.bytes(at('remark, tmark, Postmark'))).toBe(true);
      expect(gate.bytes(at('remark, tmark, ostmark; m-t-, pPM-T'))).toBe(false);
      // An aligned and an unaligned view of the same bytes.
      expect(gate.bytes(at('a postmark b').subarray(1))).toBe(true);
      for (const near of ['postmar k', 'p0stmark', 'pm_t-', 'p\u00f3stmark', 'post\nmark', 'ostmark', '']) expect(gate.bytes(at(near)), near).toBe(false);
    }
    // A text already decoded (a commit message) the same way.
    for (const word of ['postmark', 'POSTMARK', 'pOsTmArK', 'pm-t-', 'PM-T-']) expect(gate.text(`a ${word} b`), word).toBe(true);
    for (const near of ['postmar k', 'p\u00f3stmark', 'ostmark', 'pm_t-', '']) expect(gate.text(near), near).toBe(false);
    // Against the engine's own regexes, on random bytes made of keyword pieces (so keywords
    // occur, in mixed case, split and glued): the gate may let more through, never less.
    const pieces = ['post', 'POST', 'pOs', 'tmark', 'Mark', 'MARK', 'pm', 'PM', '-', 't', 'T', '-', '\r', '\xe9', '\xc3', ' ', 'k'].map((p) => Buffer.from(p, 'latin1'));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    let hits = 0;
    for (let n = 0; n < 5000; n++) {
      const buf = Buffer.concat(Array.from({ length: 1 + (rand() % 12) }, () => pieces[rand() % pieces.length]!));
      const text = buf.toString('utf8');
      const engine = rules.some((r) => r.shape && r.keywords!.test(text));
      if (engine) hits++;
      if (engine) expect(gate.bytes(buf), JSON.stringify(text)).toBe(true);
      if (engine) expect(gate.text(text), JSON.stringify(text)).toBe(true);
    }
    expect(hits).toBeGreaterThan(50);
  });
});
