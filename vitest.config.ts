import { defineConfig } from 'vitest/config';

const common = {
  environment: 'node',
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks',
} as const;

/**
 * Time-sensitive tests also run under a second process time zone (a zone with daylight saving, west
 * of UTC), so nothing can pass only because the machine runs in UTC (docs/decisions.md, issue 15).
 * Keep this list to the tests that parse or print times: each file here runs twice.
 */
export const TIME_SENSITIVE = [
  'src/core/time.test.ts',
  'src/core/time-edges.test.ts',
  'src/ingest/parity.test.ts',
  'src/ingest/refusals.test.ts',
  'src/monitors/backtest.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'utc',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          env: { TZ: 'UTC' },
          // generates the demo company once per run for tests that use src/demo/test-fixture.ts
          globalSetup: ['src/testing-tmpdir.ts', 'src/demo/global-setup.ts'],
        },
      },
      {
        test: {
          ...common,
          name: 'new-york',
          include: TIME_SENSITIVE,
          env: { TZ: 'America/New_York' },
          globalSetup: ['src/testing-tmpdir.ts'],
        },
      },
    ],
  },
});
