import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The npm installs and builds (package-install, the pre-commit framework) take most of a minute
 * each and wait on I/O; started first, other files fill the cores around them instead of one
 * core waiting on them at the end. The rest keep vitest's order (failed, then longest, first).
 */
const FIRST = ['test/package-install.test.ts', 'test/pre-commit-framework.test.ts'];

class LongestKnownFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = FIRST.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i < 0 ? FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // git-heavy end-to-end tests; two cores.
    pool: 'forks',
    maxWorkers: 2,
    // A test file does not need a fresh node of its own: no test changes globals, mocks modules or
    // stubs the environment, and each builds its repositories in temp folders of its own. Reusing
    // the two workers saves a node start and the imports per file (about 0.2 s of CPU each).
    isolate: false,
    sequence: { sequencer: LongestKnownFirst },
  },
});
