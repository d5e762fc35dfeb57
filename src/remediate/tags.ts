/**
 * Secrets in annotated tag messages. A tag object is not a commit: `git log` does not show its
 * message, and what a tag says is fixed in the tag object. git filter-repo's --replace-message
 * does rewrite annotated tag messages (checked with 2.38: the tag becomes a new object, and the
 * mirror push replaces it on the remote), so messages.txt covers them. Everything else has to be
 * done by hand: BFG leaves tag messages alone, a signature does not survive a rewrite, a host's
 * release keeps its own notes, and a clone that fetched the tag keeps the old one (git fetch
 * never replaces an existing tag). Deleting the tag and creating it again with a clean message
 * is the way that works everywhere.
 */
import { shellWord as sh } from '../core/shell.js';

export const tagName = (ref: string) => ref.replace(/^refs\/tags\//, '');

/** Delete and re-create one tag with a clean message, here and on the remote. */
export function recreateTagCommands(ref: string, remote: string | null): string[] {
  const t = tagName(ref);
  const commands = [
    `target=$(git rev-parse ${sh(`${ref}^{}`)})`,
    `git cat-file tag ${sh(ref)} | sed '1,/^$/d' > tag-message.txt   # edit it: take the secret out`,
    `git tag -d ${sh(t)}`,
    `git tag -a ${sh(t)} "$target" -F tag-message.txt   # -s instead of -a to sign it`,
    'rm tag-message.txt',
  ];
  if (remote) commands.push(`git push ${sh(remote)} --delete ${sh(ref)}`, `git push ${sh(remote)} ${sh(ref)}`);
  return commands;
}

/**
 * A check that no tag message holds a secret of `messagesFile` (the replacement file's syntax):
 * prints the name of each tag that still does, never the secret.
 */
export function tagCheckCommand(messagesFile: string): string {
  return `sed -e 's/==>[^>]*$//' -e 's/^literal://' ${sh(messagesFile)} | while IFS= read -r s; do git for-each-ref --format='%(refname)' refs/tags | while IFS= read -r t; do if git cat-file -p "$t" | grep -qF -e "$s"; then echo "$t"; fi; done; done`;
}
