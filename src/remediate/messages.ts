/**
 * The expressions file for `git filter-repo --replace-message`: the same syntax as
 * `--replace-text` (see replacements.ts), holding every listed secret, not only those found in a
 * message. A message can name a token with no Postmark context around it ("Take 6f1c… out of
 * mail.yml"): no finding of its own, yet the secret stays in history after the rewrite, the
 * check's `git log --grep` loop prints that commit (the secret with it), and the check fails.
 * filter-repo applies it to every commit message and every annotated tag message (tags.ts).
 */
import type { Credential } from './leaks.js';
import { expressionFiles } from './replacements.js';

export function messagesFile(credentials: Credential[]): string {
  return expressionFiles(credentials).filterRepo;
}
