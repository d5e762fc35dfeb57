/**
 * Text in a wide encoding is full of NULs, so a byte-wise scan never sees a token in it (issue 11
 * §2): UTF-32 with a byte-order mark, and UTF-16 or UTF-32 without one, are decoded in every mode;
 * a file that claims UTF-32 but is not is skipped and named, never counted as scanned.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const utf32 = (s: string, little: boolean, bom: boolean) => {
  const cps = [...(bom ? '\ufeff' : ''), ...s].map((c) => c.codePointAt(0)!);
  const buf = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (little ? buf.writeUInt32LE(cp, i * 4) : buf.writeUInt32BE(cp, i * 4)));
  return buf;
};
const utf16 = (s: string, little: boolean) => {
  const le = Buffer.from(s, 'utf16le');
  return little ? le : Buffer.from(le).swap16();
};

describe('wide encodings are read in every mode', () => {
  const T = { le32: fakeToken(), be32: fakeToken(), le16: fakeToken(), be16: fakeToken(), bare32: fakeToken(), astral: fakeToken(), bin: fakeToken(), le16nul: fakeToken(), be16nul: fakeToken(), binLe: fakeToken(), binBe: fakeToken() };
  const body = (t: string) => `# Windows tool output — ünïcode ✓\nREGION=eu\nPOSTMARK_SERVER_TOKEN=${t}\n`;
  const files = {
    'utf32le.env.txt': utf32(body(T.le32), true, true),
    'utf32be.env.txt': utf32(body(T.be32), false, true),
    'utf16le-nobom.env.txt': utf16(body(T.le16), true),
    'utf16be-nobom.env.txt': utf16(body(T.be16), false),
    'utf32le-nobom.env.txt': utf32(body(T.bare32), true, false),
    // Ended by a NUL character, as a tool writing a C string leaves it: still text, not binary.
    'utf16le-nobom-nul.env.txt': utf16(`${body(T.le16nul)}\0`, true),
    'utf16be-nobom-nuls.env.txt': utf16(`${body(T.be16nul)}\0\0\0`, false),
    // Outside the BMP (an emoji) in UTF-32: the second byte of its code unit is not NUL.
    'astral.env.txt': utf32(`# 📮 mail\n${body(T.astral)}`, true, true),
    // A UTF-32BE mark, then code units above U+10FFFF: no text can be read from it.
    'broken32.txt': Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), Buffer.alloc(64, 0xff)]),
    // Binary, full of NULs in no text's pattern, with a token in plain sight: its printable runs are read.
    'image.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 0, 0]), Buffer.from(`POSTMARK_SERVER_TOKEN=${T.bin}`)]),
    // Binaries whose strings are UTF-16, as a .NET assembly keeps them: read as `strings -el` / `-eb`
    // would, on the line of the file where they sit.
    'Mailer.dll': Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 0x0a, 0xff, 0xfe, 1]), utf16(`POSTMARK_SERVER_TOKEN=${T.binLe}`, true), Buffer.from([0, 0, 7])]),
    'mailer.class': Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 1, 2]), utf16(`Postmark server token: ${T.binBe}`, false), Buffer.from([0x0a, 0x81, 0])]),
  };
  const expected = [
    `Mailer.dll:2:${T.binLe}`,
    `astral.env.txt:4:${T.astral}`,
    `image.bin:1:${T.bin}`,
    `mailer.class:1:${T.binBe}`,
    `utf16be-nobom-nuls.env.txt:3:${T.be16nul}`,
    `utf16be-nobom.env.txt:3:${T.be16}`,
    `utf16le-nobom-nul.env.txt:3:${T.le16nul}`,
    `utf16le-nobom.env.txt:3:${T.le16}`,
    `utf32be.env.txt:3:${T.be32}`,
    `utf32le-nobom.env.txt:3:${T.bare32}`,
    `utf32le.env.txt:3:${T.le32}`,
  ];

  it('each token at its line, in the binary too; the false UTF-32 file is skipped and named', () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.write(files);
    for (const mode of ['worktree', 'staged', 'history']) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'history') repo.git('commit', '-qm', 'files');
      const flag = mode === 'worktree' ? [] : [`--${mode}`];
      const r = cli(['scan', ...flag, '--format', 'json', '--show-secrets', '--verbose'], repo.dir);
      expect(r.code, `${mode}: ${r.stderr}`).toBe(1);
      const json = JSON.parse(r.stdout) as {
        findings: Array<{ file: string; line: number; match: string }>;
        stats: { skipped: { binary: number }; skippedPaths: Array<{ path: string; reason: string }> };
      };
      expect(json.findings.map((f) => `${f.file}:${f.line}:${f.match}`), mode).toEqual(expected);
      expect(json.stats.skipped.binary, mode).toBe(1);
      expect(json.stats.skippedPaths.find((s) => s.path === 'broken32.txt')?.reason, mode).toMatch(/UTF-32/);
    }
  });

  it('the hook names the file it could not read, and why', () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.write({ 'broken32.txt': files['broken32.txt'] });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'secret-guard: not scanned: broken32.txt: starts with a UTF-32 byte-order mark but is not valid UTF-32\n' });
  });
});
