/**
 * The keyword gate folds and searches a file a window at a time: a keyword wherever it lies in a
 * large file (across a window's end above all, at any alignment and in any case) must let the
 * file through, and a file without one must still be turned away.
 */
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/core/engine.js';
import { keywordGate } from '../../src/sources/gate.js';
import { testRule } from './spec.js';

const WINDOW = 64 * 1024;

describe('keyword gate over a large file', () => {
  const gate = keywordGate(compileRules([testRule({ id: 'a', keywords: ['postmark'] }), testRule({ id: 'b', keywords: ['PM-T-'] })]))!;

  it('finds a keyword at every offset across each window end', () => {
    const filler = Buffer.alloc(3 * WINDOW + 100, 'x');
    for (const kw of ['postmark', 'PoStMaRk', 'pm-t-']) {
      for (const end of [WINDOW, 2 * WINDOW]) {
        for (let at = end - kw.length - 2; at <= end + 2; at++) {
          const buf = Buffer.from(filler);
          buf.write(kw, at, 'latin1');
          expect(gate.bytes(buf), `${kw} at ${at}`).toBe(true);
          // Not aligned to a word: the fold's slow path.
          expect(gate.bytes(buf.subarray(1)), `${kw} at ${at - 1}, unaligned`).toBe(true);
        }
      }
    }
  });

  it('turns away a large file with no keyword, even one cut by a window end', () => {
    const buf = Buffer.alloc(3 * WINDOW, 'x');
    buf.write('postmar', WINDOW - 4, 'latin1');
    buf.write('ostmark', 2 * WINDOW + 10, 'latin1');
    expect(gate.bytes(buf)).toBe(false);
  });
});
