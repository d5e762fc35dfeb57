/**
 * Commit and tag messages go through one function (detectMessage, src/scan/content.ts): the keyword
 * gate, then the engine. History's commit messages, its annotated tags, the push gates' tags and
 * the commit-msg hook all call it, so the gate must never change what the engine reports. On
 * seeded messages (keywords in mixed case, tokens in the contexts the rules know, near misses,
 * none), with the built-in rules and with a config rule whose keyword is in the messages' names
 * (`<commit message>`, `<tag message>`): the findings with the gate (given, or the rules' own by
 * default) equal those of `detect` alone, and the gate passes many messages over (so the comparison
 * is not of the engine with itself). A gate that wrongly sees nothing shows detectMessage asks it.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load.js';
import { compileRules, detect, type CompiledRule } from '../src/core/engine.js';
import { MESSAGE_PATH, TAG_MESSAGE_PATH } from '../src/core/types.js';
import { detectMessage } from '../src/scan/content.js';
import { cleanText, keywordGate } from '../src/sources/gate.js';
import { seeded, seededToken, type Random } from './helpers/random.js';
import { ruleSpecs } from './helpers/rules.mjs';

const word = (r: Random) => r.pick(['postmark', 'POSTMARK', 'Postmark', 'PostMark', 'pOSTMARk', 'post mark', 'postmar']);
const LINES: Array<(r: Random) => string> = [
  () => 'Fix the retry loop in the mailer',
  (r) => `Rotate the ${word(r)} token`,
  (r) => `${word(r).toUpperCase().replace(' ', '_')}_SERVER_TOKEN=${seededToken(r)}`,
  (r) => `new ${word(r).toLowerCase()}.ServerClient('${seededToken(r)}')`,
  (r) => `MessageID ${seededToken(r)} bounced`,
  (r) => `relay_key = "MAILKEY-${r.hex(20).toUpperCase()}"`,
  () => 'Signed-off-by: A Developer <dev@example.com>',
];

function message(r: Random): string {
  const n = 1 + r.int(4);
  return Array.from({ length: n }, () => r.pick(LINES)(r)).join(r.pick(['\n', '\n\n', '\r\n']));
}

const CUSTOM = {
  id: 'internal-mail-key',
  pattern: 'MAILKEY-(?<secret>[A-Z0-9]{20})',
  keywords: ['message'],
  severity: 'error' as const,
  examples: ['message relay: relay_key = "MAILKEY-ABCDEFGHIJ0123456789"'],
  negativeExamples: ['message relay: relay_key = "MAILKEY-short"'],
};

function compare(rules: CompiledRule[], seed: number): { clean: number; total: number; found: number } {
  const gate = keywordGate(rules);
  expect(gate, 'the gate is on').not.toBeNull();
  const r = seeded(seed);
  let clean = 0;
  let found = 0;
  const total = 400;
  for (let i = 0; i < total; i++) {
    const text = message(r);
    for (const path of [MESSAGE_PATH, TAG_MESSAGE_PATH]) {
      const expected = detect({ text, path }, rules, 'message');
      expect(detectMessage(text, path, rules, gate), `seed ${seed}, message ${i} at ${path}: ${JSON.stringify(text)}`).toEqual(expected);
      // Its default, the rules' own gate (the push gates' tags call it so).
      expect(detectMessage(text, path, rules), `seed ${seed}, message ${i} at ${path}, default gate`).toEqual(expected);
      if (cleanText(text, path, gate)) clean++;
      found += expected.length;
    }
  }
  return { clean, total: 2 * total, found };
}

describe('detectMessage: the keyword gate, then the engine', () => {
  it.each([3, 17, 29])('seed %i: with the built-in rules, the same findings as detect alone', (seed) => {
    const { clean, total, found } = compare(compileRules(ruleSpecs()), seed);
    expect(clean, 'messages passed over by the gate').toBeGreaterThan(total / 4);
    expect(found, 'findings in the messages').toBeGreaterThan(0);
  });

  it.each([3, 17])("seed %i: a config rule whose keyword is in the messages' names runs on every message", async (seed) => {
    const rules = compileRules([...ruleSpecs(), ...(await validateConfig({ rules: [CUSTOM] }, 'secret-guard.json')).rules]);
    const { clean, found } = compare(rules, seed);
    expect(clean, 'no message is passed over: the name holds the keyword').toBe(0);
    expect(found).toBeGreaterThan(0);
  });

  // The differential above cannot see whether the gate is asked at all (it agrees with the engine
  // by design), so a gate that wrongly says "nothing here" shows who decides: given one, the
  // engine never runs; given none (the commit-msg hook), it always does.
  it('asks the gate it is given before the engine, and with no gate (the commit-msg hook) runs the engine on every message', () => {
    const rules = compileRules(ruleSpecs());
    const real = keywordGate(rules)!;
    const blind = { ...real, path: /(?!)/, text: () => false };
    const text = `Deploy\n\nPOSTMARK_SERVER_TOKEN=${seededToken(seeded(5))}`;
    expect(detectMessage(text, MESSAGE_PATH, rules, real)).toHaveLength(1);
    expect(detectMessage(text, MESSAGE_PATH, rules, blind)).toEqual([]);
    expect(detectMessage(text, MESSAGE_PATH, rules, null)).toEqual(detect({ text, path: MESSAGE_PATH }, rules, 'message'));
    expect(detectMessage(text, MESSAGE_PATH, rules, null)).toHaveLength(1);
  });
});
