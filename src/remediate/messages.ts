/**
 * The expressions file for `git filter-repo --replace-message`: the same syntax as
 * `--replace-text` (see replacements.ts), holding only the secrets found in commit messages and
 * annotated tag messages.
 * filter-repo applies it to every commit message and every annotated tag message (tags.ts).
 */
import type { Credential } from './leaks.js';
import { expressionFiles } from './replacements.js';

export function messagesFile(credentials: Credential[]): string {
  return expressionFiles(credentials.filter((c) => c.inMessages)).filterRepo;
}
