/**
 * The expressions file for `git filter-repo --replace-message`: the same syntax as
 * `--replace-text` (see replacements.ts), holding only the secrets found in commit messages.
 * filter-repo applies it to every commit message of every ref.
 */
import type { Credential } from './leaks.js';
import { expressionFiles } from './replacements.js';

export function messagesFile(credentials: Credential[]): string {
  return expressionFiles(credentials.filter((c) => c.inMessages)).filterRepo;
}
