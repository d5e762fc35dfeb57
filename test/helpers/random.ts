/**
 * A small seeded pseudo-random generator for the generated-input tests (mulberry32): the same
 * seed gives the same inputs, so a failure printed with its seed can be replayed exactly.
 */
import { rng } from '../../bench/gen/content.mjs';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  hex(n: number): string;
}

const HEX = '0123456789abcdef';

export function seeded(seed: number): Random {
  // The bench's generator: one mulberry32 for the tests and the bench.
  const next = rng(seed).next as () => number;
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    // The same draws as Array.from({ length: n }, () => HEX[int(16)]).join(''), without an array
    // and a closure per character (the generated-input tests draw millions of them).
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += HEX[Math.floor(next() * 16)];
      return s;
    },
  };
}

/** A synthetic token drawn from `r`: UUID-shaped (version 4), never real. */
export const seededToken = (r: Random): string => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`;

/** `n` pieces drawn from `alphabet` (its characters, or the strings given), joined: noise for property tests. */
export function noise(alphabet: string | readonly string[], n: number, seed: number): string {
  const r = seeded(seed);
  const items = typeof alphabet === 'string' ? [...alphabet] : alphabet;
  let out = '';
  for (let i = 0; i < n; i++) out += items[r.int(items.length)];
  return out;
}

/** The seed for a run: SEED from the environment to replay one, else a fresh one. */
export function runSeed(): number {
  const fromEnv = process.env.SEED;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  return Math.floor(Math.random() * 2 ** 31);
}
