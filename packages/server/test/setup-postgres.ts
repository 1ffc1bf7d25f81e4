/**
 * Setup of the integration-pg project (the integration suite with PARLEY_TEST_BACKEND=postgres):
 * every test file probes PostgreSQL and Redis once. When either does not answer, the file's tests
 * are skipped with the reason printed, or under CI=true fail with it. Schemas a failed test left
 * behind are dropped after the file.
 */
import { afterAll, beforeAll } from 'vitest';
import { inCI } from './external-services.js';
import { backendServices, dropLeftoverData, testBackend } from './helpers.js';

type TaskTree = { mode: string; tasks?: TaskTree[] };
const skipAll = (task: TaskTree) => {
  task.mode = 'skip';
  for (const t of task.tasks ?? []) skipAll(t);
};

if (testBackend !== 'postgres') throw new Error('setup-postgres.ts belongs to the integration-pg project (PARLEY_TEST_BACKEND=postgres)');

const services = await backendServices();
if (!services.ok) {
  const reason = `integration-pg needs PostgreSQL and Redis: ${services.reason}`;
  if (inCI) {
    beforeAll(() => {
      throw new Error(`${reason} (CI=true: unreachable services fail, never skip)`);
    });
  } else {
    console.warn(`[skip] ${reason}`);
    // Before any of the file's own hooks run: every suite and test of the file is skipped.
    beforeAll((_ctx, file) => {
      for (const t of (file as unknown as TaskTree).tasks ?? []) skipAll(t);
    });
  }
}

afterAll(() => dropLeftoverData());
