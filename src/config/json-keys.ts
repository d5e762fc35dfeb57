/**
 * A key written twice in one JSON object. JSON.parse keeps the last silently, while a reader (and
 * YAML, which this project's loader refuses in that case) sees the first: `{"failOn": "error", …,
 * "failOn": "none"}` passed every finding. The text has parsed already, so the walk trusts its
 * syntax.
 */
import type { KeyPath } from './locate.js';

export interface RepeatedKey {
  /** The key, as the path to its second occurrence. */
  path: KeyPath;
  /** 1-based. */
  line: number;
}

/** One pass with a stack of its own: a config of 100,000 nested lists must not overflow the call stack. */
export function repeatedJsonKey(text: string): RepeatedKey | undefined {
  const frames: Array<{ keys: Set<string> | null; named: boolean }> = [];
  const path: KeyPath = [];
  let keyNext = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      if (!keyNext) continue;
      // Escapes decoded: "a" and "\u0061" are the same key to JSON.parse.
      const key = JSON.parse(text.slice(start, i)) as string;
      const frame = frames[frames.length - 1]!;
      if (frame.keys!.has(key)) return { path: [...path, key], line: text.slice(0, start).split('\n').length };
      frame.keys!.add(key);
      frame.named = true;
      path.push(key);
      keyNext = false;
      continue;
    }
    i++;
    if (c === '{') {
      frames.push({ keys: new Set(), named: false });
      keyNext = true;
    } else if (c === '[') {
      frames.push({ keys: null, named: false });
      path.push(0);
    } else if (c === '}' || c === ']') {
      const frame = frames.pop()!;
      if (frame.keys === null || frame.named) path.pop();
      keyNext = false;
    } else if (c === ',') {
      const frame = frames[frames.length - 1]!;
      if (frame.keys === null) path.push((path.pop() as number) + 1);
      else {
        path.pop();
        frame.named = false;
        keyNext = true;
      }
    }
  }
  return undefined;
}
