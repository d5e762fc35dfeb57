/**
 * Path classes for the history scan's blob cache. A blob's findings depend on its content and,
 * through a few tests, on its path: a rule's `exceptPaths` (lockfiles), its keywords (the
 * prefilter also reads the path: a file named postmark_token.txt) and its contexts' `path`
 * patterns. Two paths that answer every one of those tests alike get the same findings from the
 * same blob, apart from the path itself, so a blob is read and scanned once per class of path it
 * appears at, not once per path: a rename or a copy inside one class costs nothing.
 *
 * This must list every way src/core/engine.ts `detect` reads `fragment.path`; tests in
 * test/history-scan.test.ts (a clean blob renamed to a token-named path, a lockfile copied to a
 * config path, a custom rule's keyword only in the new path) fail if a class merges two paths
 * that the engine tells apart.
 */
import type { CompiledRule } from '../core/engine.js';

/** Distinct paths remembered before the memo starts over (it only saves recomputation). */
const MEMO_LIMIT = 100_000;

export class PathClasses {
  private readonly ids = new Map<string, number>();
  private readonly memo = new Map<string, number>();

  constructor(private readonly rules: CompiledRule[]) {}

  /** A small number naming the class of `path`; 0 for the first class seen. */
  of(path: string): number {
    const known = this.memo.get(path);
    if (known !== undefined) return known;
    const sig = this.signature(path);
    let id = this.ids.get(sig);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(sig, id);
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(path, id);
    return id;
  }

  private signature(path: string): string {
    let s = '';
    for (const r of this.rules) {
      if (!r.shape) continue; // only content rules read a blob; path rules are judged apart
      s += r.exceptPaths?.(path) ? '1' : '0';
      s += r.inKeywords?.(path) ? '1' : '0';
      for (const c of r.contexts) if (c.path) s += c.path.test(path) ? '1' : '0';
    }
    return s;
  }
}
