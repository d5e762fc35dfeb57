/**
 * Random texts and edits for the carry tests (core/incremental.ts's carryLiterals and
 * carryOccurrences): texts mostly of filler with pieces of what is looked for, and edits that make
 * and break it across changed text and the points where text was deleted.
 */
import type { Random } from './random.js';

/** `n` draws, each one of `pieces` with probability `density`, else one of `filler`. */
export function mixture(r: Random, n: number, pieces: readonly string[], filler: readonly string[], density: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += r.chance(density) ? r.pick(pieces) : r.pick(filler);
  return out;
}

/**
 * One random edit of `t`: text inserted, deleted or replaced at a random place, or a line deleted
 * or replaced. `make(n, dense)` makes new text of `n` draws, dense in pieces when asked.
 */
export function editText(t: string, r: Random, make: (n: number, dense: boolean) => string): string {
  const at = r.int(t.length + 1);
  switch (r.int(4)) {
    case 0:
      return t.slice(0, at) + make(1 + r.int(3), true) + t.slice(at);
    case 1:
      return t.slice(0, at) + t.slice(at + 1 + r.int(12));
    case 2:
      return t.slice(0, at) + make(1 + r.int(2), true) + t.slice(at + 1 + r.int(6));
    default: {
      const lines = t.split('\n');
      lines.splice(r.int(lines.length), r.int(2), ...(r.chance(0.5) ? [make(6, false)] : []));
      return lines.join('\n');
    }
  }
}
