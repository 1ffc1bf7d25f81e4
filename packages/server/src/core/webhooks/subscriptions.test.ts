import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../../adapters/fanout-memory.js';
import { SqliteStore } from '../../adapters/store-sqlite/index.js';
import { topics } from '../../ports/fanout.js';
import type { Webhook } from '../../ports/store/webhooks.js';
import { deployment } from '../views.testkit.js';
import { WebhookSubscriptions } from './subscriptions.js';

const hook = (id: string): Webhook => ({
  id,
  deploymentId: 'shop',
  url: 'https://hooks.example/in',
  events: ['message.created'],
  visibilities: ['All'],
  secret: 'whsec_x',
  enabled: true,
  createdAt: new Date(0).toISOString(),
});

describe('WebhookSubscriptions', () => {
  let store: SqliteStore;
  let fanout: MemoryFanout;
  let now: number;
  const clock = { now: () => now };
  const statements = () => store.work.get('statements');
  const ids = (list: Webhook[]) => list.map((w) => w.id);

  beforeEach(async () => {
    now = 1_000_000;
    store = new SqliteStore(':memory:');
    fanout = new MemoryFanout();
    await store.tx(async (tx) => {
      await tx.insertDeployment(deployment);
      await tx.insertWebhook(hook('w1'));
    });
  });
  afterEach(() => store.close());

  it("reads a deployment's webhooks once per lifetime, in the caller's transaction", async () => {
    const subs = new WebhookSubscriptions(fanout, clock, 1_000);
    const before = statements();
    for (let i = 0; i < 5; i++) expect(ids(await store.tx((tx) => subs.of(tx, 'shop')))).toEqual(['w1']);
    expect(statements() - before).toBe(1);
    now += 1_000;
    await store.tx((tx) => subs.of(tx, 'shop'));
    expect(statements() - before).toBe(2);
  });

  it('a change announced on `webhooks` or `directory` is read at once, on every node', async () => {
    const [a, b] = [new WebhookSubscriptions(fanout, clock, 60_000), new WebhookSubscriptions(fanout, clock, 60_000)];
    for (const subs of [a, b]) expect(ids(await store.tx((tx) => subs.of(tx, 'shop')))).toEqual(['w1']);
    await store.tx((tx) => tx.insertWebhook(hook('w2')));
    // Not announced: both still answer what they read.
    for (const subs of [a, b]) expect(ids(await store.tx((tx) => subs.of(tx, 'shop')))).toEqual(['w1']);
    await fanout.notify(topics.webhooks);
    for (const subs of [a, b]) expect(ids(await store.tx((tx) => subs.of(tx, 'shop'))).sort()).toEqual(['w1', 'w2']);
    await store.tx((tx) => tx.deleteWebhook('w1'));
    await fanout.notify(topics.directory);
    for (const subs of [a, b]) expect(ids(await store.tx((tx) => subs.of(tx, 'shop')))).toEqual(['w2']);
  });

  it('a list read while a change was announced is used once, not kept', async () => {
    const subs = new WebhookSubscriptions(fanout, clock, 60_000);
    const stale = await store.tx(async (tx) => {
      const list = subs.of(tx, 'shop');
      // The change commits elsewhere and is announced before this read's answer is back.
      await fanout.notify(topics.webhooks);
      return list;
    });
    expect(ids(stale)).toEqual(['w1']);
    await store.tx((tx) => tx.insertWebhook(hook('w2')));
    expect(ids(await store.tx((tx) => subs.of(tx, 'shop'))).sort()).toEqual(['w1', 'w2']);
  });

  it("keeps lists at most the fan-out's re-check interval while it is degraded", async () => {
    const degraded = Object.assign(new MemoryFanout(), { recheckMs: 300 });
    const subs = new WebhookSubscriptions(degraded, clock, 60_000);
    await store.tx((tx) => subs.of(tx, 'shop'));
    await store.tx((tx) => tx.insertWebhook(hook('w2')));
    now += 299;
    expect(ids(await store.tx((tx) => subs.of(tx, 'shop')))).toEqual(['w1']);
    now += 1;
    expect(ids(await store.tx((tx) => subs.of(tx, 'shop'))).sort()).toEqual(['w1', 'w2']);
  });
});
