import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const alias = { '@parley/protocol': fileURLToPath(new URL('./packages/protocol/src/index.ts', import.meta.url)) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        // The widgets' unit tests run an in-process server: its start and close get the integration suites' hook time.
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'], environment: 'node', hookTimeout: 30_000 },
      },
      {
        resolve: { alias },
        test: { name: 'integration', include: ['packages/*/test/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: true },
      },
      {
        resolve: { alias },
        // The same integration suite on PostgreSQL + Redis (a schema and channel prefix per server).
        // Files that test the adapters themselves (or SQLite's files), or start main.ts on SQLite, are not repeated; nor the
        // fault-injection suite (faults/), which runs on PostgreSQL + Redis in the integration project.
        test: {
          name: 'integration-pg',
          include: ['packages/server/test/**/*.test.ts'],
          exclude: [
            'packages/server/test/store-contract.test.ts',
            'packages/server/test/file-stores.test.ts',
            'packages/server/test/fanout-redis.test.ts',
            'packages/server/test/startup.test.ts',
            'packages/server/test/startup-race.test.ts',
            'packages/server/test/postgres-pool.test.ts',
            'packages/server/test/sqlite-wal-pages.test.ts',
            'packages/server/test/multi-node.test.ts',
            'packages/server/test/faults/**',
          ],
          env: { PARLEY_TEST_BACKEND: 'postgres' },
          setupFiles: ['packages/server/test/setup-postgres.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: true,
        },
      },
      {
        resolve: { alias },
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
      },
    ],
  },
});
