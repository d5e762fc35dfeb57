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

export function repeatedJsonKey(text: string): RepeatedKey | undefined {
  let i = 0;
  const path: KeyPath = [];
  const ws = () => {
    while (i < text.length && ' \t\n\r\uFEFF'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    // Escapes decoded: "a" and "\u0061" are the same key to JSON.parse.
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RepeatedKey | undefined => {
    ws();
    const open = text[i];
    if (open === '"') {
      str();
      return undefined;
    }
    if (open !== '{' && open !== '[') {
      while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++;
      return undefined;
    }
    const close = open === '{' ? '}' : ']';
    const keys = new Set<string>();
    i++;
    for (let n = 0; (ws(), i < text.length && text[i] !== close); n++) {
      if (open === '{') {
        const at = i;
        const key = str();
        if (keys.has(key)) return { path: [...path, key], line: text.slice(0, at).split('\n').length };
        keys.add(key);
        ws();
        i++; // the colon
        path.push(key);
      } else path.push(n);
      const inner = value();
      if (inner) return inner;
      path.pop();
      ws();
      if (text[i] === ',') i++;
    }
    i++;
    return undefined;
  };
  return value();
}
