/**
 * Where HEAD's files still hold a leaked credential, by path and line, so the plan can name them.
 * A history finding's line is where the secret was introduced; the file may have moved on since,
 * so the line is read from HEAD's version of the file.
 */
import { gitRaw } from '../sources/git.js';
import type { Credential } from './leaks.js';

export async function headPlaces(cwd: string, credentials: Credential[]): Promise<Array<{ path: string; line: number }>> {
  const out: Array<{ path: string; line: number }> = [];
  const seen = new Set<string>();
  for (const c of credentials) {
    for (const f of c.findings) {
      // A tag message's finding is a `message` one: only files are here.
      if (f.kind !== 'content' || !f.holders?.inHead) continue;
      // The path is passed as data to git (HEAD:<path>), never through a shell.
      const r = await gitRaw(['cat-file', 'blob', `HEAD:${f.path}`], cwd);
      const lines = r.code === 0 ? r.stdout.toString('utf8').split('\n') : [];
      const hits = lines.flatMap((text, i) => (text.includes(c.secret) ? [i + 1] : []));
      // Not found as text (an encoded file): the line it was introduced at is the best pointer.
      for (const line of hits.length ? hits : [f.line]) {
        const key = `${f.path}\0${line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: f.path, line });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}
