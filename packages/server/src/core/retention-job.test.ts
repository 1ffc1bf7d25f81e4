import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { AuditTrail } from './audit-trail.js';
import type { CustomerData } from './customer-data.js';
import { RetentionJob } from './retention-job.js';

const HOUR = 3_600_000;

describe('RetentionJob: idempotency records', () => {
  it('deletes operationId records older than the window, keeps newer ones and the server’s own', async () => {
    const store = new SqliteStore(':memory:');
    const clock = { t: Date.parse('2026-12-01T00:00:00.000Z'), now: () => clock.t };
    const at = (hoursAgo: number) => new Date(clock.t - hoursAgo * HOUR).toISOString();
    await store.tx(async (tx) => {
      await tx.putOperation('send:s:p', 'day-old', { n: 1 }, at(25));
      await tx.putOperation('send:s:p', 'hour-old', { n: 2 }, at(1));
      await tx.putOperation('settings', 'token.secret', 'generated', at(1000));
    });
    // No deployment has a retention policy: the customer-data and audit parts are not reached.
    const job = new RetentionJob(store, clock, {} as CustomerData, {} as AuditTrail, 60_000, 30, 24, () => undefined);
    await job.runOnce();
    const left = await store.read(async (tx) => [await tx.getOperation('send:s:p', 'day-old'), await tx.getOperation('send:s:p', 'hour-old'), await tx.getOperation('settings', 'token.secret')]);
    expect(left).toEqual([null, { n: 2 }, 'generated']);
    await store.close();
  });
});

describe('RetentionJob: one node runs it', () => {
  it('runs on the node leading `retention` once per interval; another node takes it on when the leader stops', async () => {
    const store = new SqliteStore(':memory:');
    const clock = { t: Date.parse('2026-12-01T00:00:00.000Z'), now: () => clock.t };
    const job = () => new RetentionJob(store, clock, {} as CustomerData, {} as AuditTrail, 120_000, 30, 24, () => undefined);
    const [a, b] = [job(), job()];
    expect(await a.tick()).toEqual({});
    expect(await b.tick()).toBeNull();
    clock.t += 120_000;
    expect(await a.tick()).toEqual({});
    expect(await b.tick()).toBeNull();
    // a stops ticking: its lease (one interval less a second) has ended by the next tick.
    clock.t += 120_000;
    expect(await b.tick()).toEqual({});
    expect(await a.tick()).toBeNull();
    await store.close();
  });
});
