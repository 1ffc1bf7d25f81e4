import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const alias = { '@parley/protocol': fileURLToPath(new URL('./packages/protocol/src/index.ts', import.meta.url)) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: { name: 'integration', include: ['packages/*/test/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: true },
      },
      {
        resolve: { alias },
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
      },
    ],
  },
});
