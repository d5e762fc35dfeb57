#!/usr/bin/env node
// The only file that touches the process. A failure to even load is exit 2, never 0.

// Node's default for an error nobody caught is a stack trace (which may quote the text being
// scanned, a secret) and exit 1 (which reads as "findings"). Neither: name only, and exit 2.
const crashed = (err) => {
  const name = err && err.name ? err.name : 'Error';
  process.stderr.write(`secret-guard: internal error (${name}): the scan did not complete\n`);
  process.exit(2);
};
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);

import('../dist/bundle/main.js')
  .then((m) => m.main())
  .catch((err) => {
    const name = err && err.name ? err.name : 'Error';
    const code = err && err.code === 'ERR_MODULE_NOT_FOUND' ? ' (is the package built? run `npm run build`)' : '';
    process.stderr.write(`secret-guard: internal error (${name})${code}: the scan did not complete\n`);
    process.exitCode = 2;
  });
