/**
 * Blob contents through one long-lived `git cat-file --batch`: requests are written ahead and
 * answered in order, so git keeps inflating while we scan. A blob over the size limit is read
 * past without being kept, searched for keywords on the way (scan/content.ts says why). A missing
 * object or a dead process fails every pending read.
 */
import { GitError, IncompleteScanError } from '../errors.js';
import { KeywordScan, type KeywordGate } from './gate.js';
import { fetchLeftOut, UNFETCHED_OBJECT } from './git.js';
import { CAT_FILE_BOUNDS, GitStream } from './history-process.js';

/** A requested object is not in the repository; `sha` says which, so a caller can name what it stood for. */
export class MissingObjectError extends IncompleteScanError {
  constructor(readonly sha: string) {
    super(
      `object ${sha} is missing from the repository, so the history cannot be read completely`,
      `Run \`git fsck\` to see what is damaged; in a partial clone (git clone --filter), fetch what it left out: ${fetchLeftOut()}.`,
    );
  }
}

/** A blob's bytes, or its size and (when searched as it went past) whether a rule keyword is in it. */
export type BlobContent = { data: Buffer; size: number } | { tooLarge: true; size: number; keywords?: boolean };

interface Pending {
  sha: string;
  resolve: (c: BlobContent) => void;
  reject: (e: Error) => void;
}

export class BlobReader {
  private readonly git: GitStream;
  private readonly queue: Pending[] = [];
  private head = 0;
  private writes: string[] = [];
  private flushScheduled = false;
  private failed: Error | null = null;
  // Parser state: a header line being collected, or a body of `remaining` bytes (+ its newline).
  private headerPieces: Buffer[] = [];
  private body: Buffer[] | null = null;
  private remaining = -1;
  private size = 0;
  /** The keyword search over the body of a blob over maxSize, read past. */
  private search: KeywordScan | null = null;

  constructor(
    cwd: string,
    private readonly maxSize: number,
    /** The gate whose keywords a blob over maxSize is searched for (built when one first comes). */
    private readonly gate?: () => KeywordGate | null,
  ) {
    this.git = new GitStream(['--no-replace-objects', 'cat-file', '--batch'], cwd, CAT_FILE_BOUNDS);
    this.git.proc.stdout.on('data', (chunk: Buffer) => {
      try {
        this.feed(chunk);
      } catch (e) {
        this.fail(e as Error);
      }
    });
    this.git.proc.on('close', (code) => {
      if (this.head >= this.queue.length) return;
      // A partial clone's object, not fetched (GIT_NO_LAZY_FETCH): git 2.39 dies rather than answer "missing".
      const unfetched = UNFETCHED_OBJECT.exec(this.git.errors);
      this.fail(unfetched ? new MissingObjectError(unfetched[1]!) : this.git.failure(code ?? undefined));
    });
  }

  read(sha: string): Promise<BlobContent> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ sha, resolve, reject });
      this.writes.push(sha);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Closes git's input and waits for it: a non-zero exit is a GitError. */
  async close(): Promise<void> {
    this.flush();
    this.git.proc.stdin.end();
    await this.git.check();
    if (this.failed) throw this.failed;
  }

  kill(): void {
    this.git.kill();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.writes.length) return;
    this.git.proc.stdin.write(`${this.writes.join('\n')}\n`);
    this.writes = [];
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.reject(e);
    this.queue.length = 0;
    this.head = 0;
    this.git.kill();
  }

  private feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining < 0) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl === -1) {
          this.headerPieces.push(Buffer.from(chunk.subarray(pos)));
          return;
        }
        this.headerPieces.push(chunk.subarray(pos, nl));
        const header = Buffer.concat(this.headerPieces).toString('latin1');
        this.headerPieces = [];
        pos = nl + 1;
        this.startBody(header);
        continue;
      }
      // Body bytes, then the newline cat-file writes after each object.
      const take = Math.min(this.remaining, chunk.length - pos);
      if (this.body && take > 0) this.body.push(chunk.subarray(pos, pos + take));
      else if (this.search && take > 0) this.search.push(chunk.subarray(pos, pos + take));
      this.remaining -= take;
      pos += take;
      if (this.remaining > 0) return;
      if (pos >= chunk.length) return; // the trailing newline is in the next chunk
      if (chunk[pos] !== 0x0a) throw new GitError('could not parse git cat-file output; the scan did not read everything');
      pos++;
      this.deliver();
    }
  }

  private startBody(header: string): void {
    const p = this.queue[this.head];
    if (!p) throw new GitError('git cat-file answered a request that was not made');
    const [sha, type, sizeText] = header.split(' ');
    if (type === 'missing' || type === 'ambiguous' || sha !== p.sha) {
      throw new MissingObjectError(p.sha);
    }
    if (type !== 'blob') throw new GitError(`object ${p.sha} is a ${type}, not a file's contents`);
    this.size = Number(sizeText);
    this.remaining = this.size;
    this.body = this.size > this.maxSize ? null : [];
    const gate = this.body ? null : this.gate?.();
    this.search = gate ? new KeywordScan(gate) : null;
  }

  private deliver(): void {
    const p = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as Pending;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const body = this.body;
    this.body = null;
    this.remaining = -1;
    const search = this.search;
    this.search = null;
    if (body === null) p.resolve(search ? { tooLarge: true, size: this.size, keywords: search.found } : { tooLarge: true, size: this.size });
    else p.resolve({ data: body.length === 1 ? body[0]! : Buffer.concat(body), size: this.size });
  }
}
