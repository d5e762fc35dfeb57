/** Small Markdown helpers for ROTATION.md: inline code that survives any path or name. */

/** `text` as inline code, whatever backticks or line breaks it holds. */
export function code(text: string): string {
  const t = text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  if (!t.includes('`')) return `\`${t}\``;
  const fence = '`'.repeat(Math.max(...(t.match(/`+/g) ?? ['']).map((r) => r.length)) + 1);
  return `${fence} ${t} ${fence}`;
}

export function list(items: string[], indent = ''): string {
  return items.map((i) => `${indent}- ${i}`).join('\n');
}

export function block(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.replace(/\n$/, '')}\n\`\`\``;
}

export const shortSha = (sha: string) => sha.slice(0, 12);
