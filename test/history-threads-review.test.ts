/**
 * Review of history's worker threads (issue #12): what a blob's verdict may depend on when its
 * reads finish in another order. A binary blob is read as its printable text where a rule's
 * keyword is in its bytes or in its path (sources/binary-text.ts), so "binary" is a verdict of a
 * blob at a class of path, not of the blob: the same bytes renamed or copied to a token-named path
 * hold a finding. And which read of a blob counts in the stats must not depend on which thread
 * finished first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

/** Bytes git and decode() call binary (NULs in the first 8 KiB), no rule's keyword in them, and a token on a line of its own. */
const binaryWith = (token: string) =>
  Buffer.concat([Buffer.from('\x00\x01\x02\x03abc'.repeat(1500), 'latin1'), Buffer.from(`\n${token}\n`), Buffer.alloc(16)]);

describe('scan --history: binary blobs at token-named paths, on any number of threads', () => {
  it('finds a token in a binary blob once it is renamed to a path that names it (as the working-tree scan does)', async () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'notes/value.bin': binaryWith(token) } });
    repo.commit({ 'notes/value.bin': null, 'secrets/postmark_server_token.bin': binaryWith(token) }, 'name the secret file');
    expect(repo.git('show', '--name-status', '--format=', '-M', 'HEAD')).toMatch(/^R100/);
    const tree = await cliAsync(['scan', '--format', 'json'], repo.dir);
    expect(tree.code).toBe(1);
    const r = await cliAsync(['scan', '--history', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['secrets/postmark_server_token.bin']);
  });
});
