import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import { chatCore, type ChatCore } from '../core/chat.testkit.js';
import { DirectoryCache } from '../core/directory-cache.js';
import { RoutingService } from '../core/routing-service.js';
import { account } from '../core/views.testkit.js';
import type { Deployment, Store } from '../ports/store.js';
import { demoFlow } from './demo-flow.js';
import { FlowEngine } from './engine.js';

const deployment = (id: string, settings: Deployment['settings'] = {}): Deployment => ({
  id,
  name: id,
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings,
});

/** The flow engine as a subscriber of the domain events, on the SQLite store without HTTP. */
describe('FlowEngine subscribed to the domain events', () => {
  let store: SqliteStore;
  let transactions: number;
  let reads: number;
  let core: ChatCore;
  let flows: FlowEngine;
  const plain = deployment('plain');
  const botShop = deployment('bot-shop', { flow: demoFlow });
  const ann = account('ann', 'agent');

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    transactions = 0;
    reads = 0;
    const counted: Store = {
      tx: (fn) => {
        transactions++;
        return store.tx(fn);
      },
      read: (fn) => {
        reads++;
        return store.read(fn);
      },
      close: () => store.close(),
    };
    core = chatCore(counted);
    // As the app: deployments come from the DirectoryCache (over the uncounted store: its loads are not the engine's).
    const directory = new DirectoryCache(store, core.fanout, core.clock, 60_000);
    flows = new FlowEngine(
      counted,
      core.clock,
      core.writer,
      new RoutingService(counted, core.fanout, core.clock, core.writer),
      core.chat.limits.maxMessageLength,
      fetch,
      () => undefined,
      (id) => directory.deployment(id),
    );
    flows.attach(core.events);
    await store.tx(async (tx) => {
      for (const d of [plain, botShop]) await tx.insertDeployment(d);
      await tx.insertAccount(ann);
    });
  });
  afterEach(() => store.close());

  const texts = async (sessionId: string) => (await store.tx((tx) => tx.listMessages(sessionId, { visibilities: ['All'], limit: 100 }))).filter((m) => m.type === 'Text').map((m) => m.text);

  it('costs no store work where the deployment has no flow: a start, a customer Text and an accept are one write each, and nothing is read', async () => {
    const { session, participant, interaction } = await core.chat.startSession(plain, { nickname: 'Carol' });
    await flows.settled();
    expect(transactions).toBe(1);
    await core.chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello' });
    await flows.settled();
    expect(transactions).toBe(2);
    await core.chat.accept(interaction.id, ann);
    await core.chat.customerSend(session.id, participant.id, { type: 'Text', text: 'talk to bot' });
    await flows.settled();
    expect(transactions).toBe(4);
    expect(reads).toBe(0);
  });

  it('runs the flow on the events of a deployment with one: greets on the start, answers a Text, shows the banner when an agent takes over', async () => {
    const { session, participant } = await core.chat.startSession(botShop, { nickname: 'Carol' });
    await flows.settled();
    expect(await texts(session.id)).toEqual([demoFlow.steps.greet.say, demoFlow.steps.menu.ask]);
    await core.chat.customerSend(session.id, participant.id, { type: 'Text', text: 'agent' });
    await flows.settled();
    await core.chat.customerSend(session.id, participant.id, { type: 'Text', text: 'carol@example.com' });
    await flows.settled();
    const [queued] = await store.tx((tx) => tx.listInteractions({ sessionId: session.id }));
    expect(queued?.state).toBe('Queued');
    await core.chat.accept(queued!.id, ann);
    await flows.settled();
    const log = await store.tx((tx) => tx.listMessages(session.id, { visibilities: ['All'], limit: 100 }));
    expect(log.at(-1)).toMatchObject({ type: 'Notice', subtype: 'UiEvent', event: 'ui-event-update-promotion' });
  });

  it('detached, it does nothing', async () => {
    flows.detach();
    const { session } = await core.chat.startSession(botShop, { nickname: 'Carol' });
    await flows.settled();
    expect(await texts(session.id)).toEqual([]);
  });
});
