#!/usr/bin/env node
// The only file that touches the process. A failure to even load is exit 2, never 0.
import('../dist/cli/main.js')
  .then((m) => m.main())
  .catch((err) => {
    const name = err && err.name ? err.name : 'Error';
    const code = err && err.code === 'ERR_MODULE_NOT_FOUND' ? ' (is the package built? run `npm run build`)' : '';
    process.stderr.write(`secret-guard: internal error (${name})${code}: the scan did not complete\n`);
    process.exitCode = 2;
  });
