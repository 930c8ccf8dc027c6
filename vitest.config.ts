import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
    // generates the demo company once per run for tests that use src/demo/test-fixture.ts
    globalSetup: ['src/demo/global-setup.ts'],
  },
});
