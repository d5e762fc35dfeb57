/**
 * The commit stream of a history scan: one `git log --raw -z` parsed as it arrives.
 *
 * Framing: every field is NUL-terminated (`%x00` in the format, `-z` for the raw entries), so
 * nothing a path or an author name can contain is ambiguous. A commit starts with a \x01 token;
 * its message is the sixth field; then come raw entries (`:modes shas status`, then one path, or
 * two for a rename). Git separates the message from the first entry with a newline, which is
 * dropped. Anything that does not fit the frame is a GitError: a misread stream must never pass
 * as a clean one.
 */
import { GitError } from '../errors.js';
import { pathFromBytes } from './git.js';

export const LOG_FORMAT = '%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%B';

/**
 * The log arguments after `git log`: parents before children, each commit diffed against its first
 * parent. `--no-relative`: run in a subfolder, git honours a config's diff.relative (the user's, or
 * a downloaded repository's own) and lists only the changes below that folder.
 */
export const LOG_ARGS = [
  '--no-relative',
  '--topo-order',
  '--reverse',
  '--diff-merges=first-parent',
  '--root',
  '--raw',
  '-z',
  '--no-abbrev',
  '-M',
  '--no-color',
  '--encoding=UTF-8',
  `--format=${LOG_FORMAT}`,
];

export interface RawChange {
  /** A added, M modified, D deleted, T type changed, R renamed, C copied. */
  status: string;
  oldMode: string;
  newMode: string;
  oldBlob: string;
  newBlob: string;
  /** The path on the old side: the rename source for R, otherwise the same as `path`. */
  oldPath: string;
  path: string;
}

export interface LogCommit {
  sha: string;
  parents: string[];
  author: string;
  email: string;
  date: string;
  message: string;
  changes: RawChange[];
}

/** A full object id (SHA-1 or SHA-256). */
export const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const HEADER_FIELDS = 6;

/**
 * A `--raw` change line, `:old-mode new-mode old-blob new-blob status[score]`, its paths still to
 * come (as the NUL-separated fields after it); a string saying what is wrong when it is not one.
 */
export function rawEntry(text: string): RawChange | string {
  const parts = text.split(' ');
  if (parts.length !== 5 || parts[0]![0] !== ':') return 'a change entry is not in raw format';
  const [oldMode, newMode, oldBlob, newBlob, status] = parts as [string, string, string, string, string];
  if (!SHA.test(oldBlob) || !SHA.test(newBlob)) return 'a change entry has no full object ids';
  return { status: status[0]!, oldMode: oldMode.slice(1), newMode, oldBlob, newBlob, oldPath: '', path: '' };
}

type Expect = 'header' | 'entry' | 'path' | 'path2';

export class LogParser {
  private pieces: Buffer[] = [];
  private expect: Expect = 'header';
  private fields: string[] = [];
  private current: LogCommit | null = null;
  private entry: RawChange | null = null;
  private done: LogCommit[] = [];

  /** Feeds a chunk; returns the commits completed by it (a commit completes when the next begins). */
  push(chunk: Buffer): LogCommit[] {
    let start = 0;
    for (let nul = chunk.indexOf(0, start); nul !== -1; nul = chunk.indexOf(0, start)) {
      let token = chunk.subarray(start, nul);
      if (this.pieces.length) {
        this.pieces.push(token);
        token = Buffer.concat(this.pieces);
        this.pieces = [];
      }
      this.token(token);
      start = nul + 1;
    }
    // Keep a copy of the partial token: the stream may reuse the chunk's memory.
    if (start < chunk.length) this.pieces.push(Buffer.from(chunk.subarray(start)));
    return this.take();
  }

  /** The stream ended: the last commit is complete. */
  end(): LogCommit[] {
    // Under -z git terminates every field, so bytes after the last NUL mean a truncated stream.
    if (this.pieces.length) throw malformed('the output ended in the middle of a field');
    if (this.expect === 'header' && this.fields.length) throw malformed('the output ended inside a commit header');
    if (this.expect === 'path' || this.expect === 'path2') throw malformed('the output ended inside a change entry');
    this.finish();
    return this.take();
  }

  private take(): LogCommit[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  private token(buf: Buffer): void {
    switch (this.expect) {
      case 'header':
        return this.headerField(buf);
      case 'entry':
        return this.entryOrCommit(buf);
      case 'path':
      case 'path2':
        return this.pathField(pathFromBytes(buf));
    }
  }

  private headerField(buf: Buffer): void {
    if (this.fields.length === 0) {
      if (buf[0] !== 1) throw malformed('a commit record does not start where expected');
      this.fields.push(buf.toString('latin1', 1));
    } else {
      this.fields.push(buf.toString('utf8'));
    }
    if (this.fields.length < HEADER_FIELDS) return;
    const [sha, parents, author, email, date, message] = this.fields as [string, string, string, string, string, string];
    this.fields = [];
    if (!SHA.test(sha)) throw malformed('a commit id is not a hash');
    const parentList = parents ? parents.split(' ') : [];
    if (!parentList.every((p) => SHA.test(p))) throw malformed('a parent id is not a hash');
    this.current = { sha, parents: parentList, author, email, date, message, changes: [] };
    this.expect = 'entry';
  }

  private entryOrCommit(buf: Buffer): void {
    if (buf[0] === 1) {
      this.finish();
      this.expect = 'header';
      this.headerField(buf);
      return;
    }
    const entry = rawEntry(buf.toString('latin1', buf[0] === 0x0a ? 1 : 0));
    if (typeof entry === 'string') throw malformed(entry);
    this.entry = entry;
    this.expect = 'path';
  }

  private pathField(path: string): void {
    const e = this.entry!;
    if (this.expect === 'path') {
      e.oldPath = path;
      e.path = path;
      if (e.status === 'R' || e.status === 'C') {
        this.expect = 'path2';
        return;
      }
    } else {
      e.path = path;
    }
    this.current!.changes.push(e);
    this.entry = null;
    this.expect = 'entry';
  }

  private finish(): void {
    if (this.current) this.done.push(this.current);
    this.current = null;
  }
}

function malformed(what: string): GitError {
  return new GitError(`could not parse git log output (${what}); the history was not read completely`);
}
