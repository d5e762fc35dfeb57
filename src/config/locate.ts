/**
 * Where a key sits in a settings file, for error messages: the line of an object member's key or
 * of an array element, found by walking the text along the path. The JSON has parsed already, so
 * the walk trusts its syntax.
 */
import type { Document, LineCounter } from 'yaml';

export type KeyPath = Array<string | number>;

/** The 1-based line of `path` in JSON `text`, or of the deepest part of it that exists. */
export function jsonLine(text: string, path: KeyPath): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r\uFEFF'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skip = (): void => {
    ws();
    const open = text[i];
    if (open === '"') {
      str();
      return;
    }
    if (open !== '{' && open !== '[') {
      while (i < text.length && !',]}'.includes(text[i]!)) i++;
      return;
    }
    const close = open === '{' ? '}' : ']';
    i++;
    for (ws(); i < text.length && text[i] !== close; ws()) {
      if (open === '{') {
        str();
        ws();
        i++; // the colon
      }
      skip();
      ws();
      if (text[i] === ',') i++;
    }
    i++;
  };
  ws();
  let at = i;
  for (const seg of path) {
    ws();
    const open = text[i];
    if (open !== '{' && open !== '[') break;
    i++;
    let found = false;
    for (let n = 0; (ws(), i < text.length && text[i] !== (open === '{' ? '}' : ']')); n++) {
      const start = i;
      if (open === '{') {
        const key = str();
        ws();
        i++;
        if (key === seg) found = true;
      } else if (n === seg) {
        found = true;
      }
      if (found) {
        at = start;
        break;
      }
      skip();
      ws();
      if (text[i] === ',') i++;
    }
    if (!found) break;
  }
  return text.slice(0, at).split('\n').length;
}

/** The line of a key (or element) in a YAML document, or of the deepest part of the path that exists. */
export function yamlLine(doc: Document, lines: LineCounter, path: KeyPath): number | undefined {
  let node: unknown = doc.contents;
  let at = (node as { range?: [number] } | null)?.range?.[0];
  for (const seg of path) {
    const items = (node as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) break;
    if (typeof seg === 'number') {
      node = items[seg];
      const start = (node as { range?: [number] } | undefined)?.range?.[0];
      if (start === undefined) break;
      at = start;
    } else {
      const pair = items.find((p) => {
        const key = (p as { key?: unknown }).key;
        return String(key && typeof key === 'object' && 'value' in key ? (key as { value: unknown }).value : key) === seg;
      }) as { key?: { range?: [number] }; value?: unknown } | undefined;
      if (!pair) break;
      if (pair.key?.range) at = pair.key.range[0];
      node = pair.value;
    }
  }
  return at === undefined ? undefined : lines.linePos(at).line;
}
