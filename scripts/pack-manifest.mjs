// The package.json that goes into a tarball (`npm pack`, `npm publish`) has no `prepare` script.
// The tarball already holds dist/ (prepack builds it), and npm lists a file or tarball
// dependency's `prepare` as an install script awaiting approval ("install scripts not yet covered
// by allowScripts"), so an install from the tarball would warn about a build it never needs.
// `prepare` stays in the repository: a clone's `npm install`, a git-URL install and the
// pre-commit framework build through it.
//
//   node scripts/pack-manifest.mjs strip     (prepack: after the build)
//   node scripts/pack-manifest.mjs restore   (postpack)
// strip keeps the file byte for byte in .package.json.prepack; restore puts it back. A pack that
// fails between the two leaves that file, which git shows, and `restore` repairs.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const manifest = join(root, 'package.json');
const saved = join(root, '.package.json.prepack');

const [action] = process.argv.slice(2);
if (action === 'strip') {
  if (existsSync(saved)) {
    console.error(`secret-guard: ${saved} exists: a previous pack did not finish. Run \`node scripts/pack-manifest.mjs restore\` first.`);
    process.exit(1);
  }
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (action === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
