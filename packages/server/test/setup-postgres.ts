/**
 * Setup of the integration-pg project (the integration suite with PARLEY_TEST_BACKEND=postgres):
 * every test file probes PostgreSQL and Redis once. When either does not answer, the file's tests
 * are skipped with the reason printed, or under CI=true fail with it. Schemas a failed test left
 * behind are dropped after the file.
 */
import { afterAll, beforeAll, TestRunner } from 'vitest';
import { inCI } from './external-services.js';
import { backendServices, dropLeftoverData, testBackend } from './helpers.js';

type TaskTree = { type: string; mode: string; result?: { state: string; note?: string }; tasks?: TaskTree[] };

/** Empties every hook list of a suite (a skipped suite must not start servers in its beforeAll). */
function dropHooks(suite: TaskTree): void {
  const hooks = TestRunner.getSuiteHooks(suite as never) as unknown as Record<string, unknown[]> | undefined;
  for (const list of Object.values(hooks ?? {})) if (Array.isArray(list)) list.length = 0;
}

/** Skips a suite or test, with the reason as its note, the way a test's own ctx.skip(note) would. */
function skipAll(task: TaskTree, note: string): void {
  if (task.type === 'test') {
    task.mode = 'skip';
    task.result = { state: 'skip', note };
    return;
  }
  dropHooks(task);
  for (const t of task.tasks ?? []) skipAll(t, note);
}

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
    // Runs first of the file's hooks (setup files register before the test file does): the file's
    // own hooks are dropped (this beforeAll list is truncated after this hook) and every test skipped.
    // eslint-disable-next-line no-empty-pattern
    beforeAll(({}, file) => {
      const own = TestRunner.getSuiteHooks(file as never) as unknown as Record<string, unknown[]>;
      for (const [name, list] of Object.entries(own)) if (Array.isArray(list)) list.splice(name === 'beforeAll' ? 1 : 0);
      for (const t of (file as unknown as TaskTree).tasks ?? []) skipAll(t, reason);
    });
  }
}

// Registered after the skip hook above, so a skipped file has none.
afterAll(() => dropLeftoverData());
