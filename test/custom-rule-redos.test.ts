/**
 * A config file's custom rule must not let a crafted file stall the scan. Each pattern below is a
 * classic catastrophic-backtracking shape (ambiguous alternation, adjacent overlapping
 * repetitions, nested repetition); in V8's engine each one takes hours or more on the line
 * next to it. On a real repository, every one must be refused at load (exit 2, the rule named) or
 * complete. Each run has a 20-second bound (helpers/cli-async.ts: the process running it is
 * killed past it) so a regression fails instead of hanging the suite: a bound, not a timing
 * assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const BOUND_MS = 20_000;

/** pattern, a line it must find (its example), and the hostile line of the same letters. */
const SHAPES: Array<[string, string, string]> = [
  ['(?:a|a)*b', 'aab', `${'a'.repeat(40)}!`],
  ['(?:a|aa)+b', 'aab', `${'a'.repeat(60)}!`],
  ['a*a*a*a*b', 'aab', `${'a'.repeat(3000)}!`],
  ['(?:a+)+b', 'aab', `${'a'.repeat(40)}!`],
  ['(a|b?)*c', 'abc', `${'ab'.repeat(30)}!`],
  ['(?:\\w+\\s?)+$', 'word word', `${'word '.repeat(12)}word!`],
  ['(?:x+x+)+y', 'xxy', `${'x'.repeat(40)}!`],
  ['(?:[a-z]+\\.)+com\\b', 'a.b.com', `${'a.'.repeat(30)}c!`],
  ['(?:\\d|\\d\\d)+\\.', '12.', `${'1'.repeat(60)}x`],
  ['\\s*\\s*\\s*\\s*=', ' =', `${' '.repeat(3000)}x`],
];

describe('custom rules cannot take super-linear time', () => {
  it.each(SHAPES)('%s is refused or completes on a hostile line', async (pattern, example, hostile) => {
    const config = { rules: [{ id: 'hostile-rule', pattern: `(?<secret>${pattern})`, examples: [example], negativeExamples: ['nothing to see'] }] };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(config), 'input.txt': `${hostile}\n${hostile}\n` } });
    const run = await cliAsync(['scan', '--format', 'json'], repo.dir, { timeoutMs: BOUND_MS });
    expect(run.code, `${pattern}: ${run.stderr}`).not.toBe(-1);
    if (run.code === 2) expect(run.stderr).toMatch(/hostile-rule/);
    else expect([0, 1]).toContain(run.code);
  }, BOUND_MS + 10_000);

  it('a custom rule still finds its secret, placed exactly, on the linear engine', async () => {
    const config = { rules: [{ id: 'acme-key', pattern: 'acme_(?:ab)?key=(?<secret>ab[0-9]{4})', keywords: ['acme'], examples: ['acme_key=ab1234'], negativeExamples: ['acme_key=none'] }] };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(config), 'é.txt': 'héllo 😀 acme_abkey=ab1234\n' } });
    const run = await cliAsync(['scan', '--format', 'json', '--show-secrets'], repo.dir, { timeoutMs: BOUND_MS });
    expect(run.code, run.stderr).toBe(1);
    const [f] = JSON.parse(run.stdout).findings;
    expect(f).toMatchObject({ ruleId: 'acme-key', match: 'ab1234', line: 1, column: 21, endColumn: 27 });
  });

  it('a pattern the linear engine cannot run (a backreference) is refused at load, by rule id', async () => {
    const config = { rules: [{ id: 'backref-rule', pattern: '(?<secret>(a)\\2)', examples: ['aa'], negativeExamples: ['ab'] }] };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(config), 'a.txt': 'x\n' } });
    const run = await cliAsync(['scan'], repo.dir, { timeoutMs: BOUND_MS });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/backref-rule.*linear time/s);
  });
});
