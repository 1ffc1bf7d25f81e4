import type { Clock } from '../ports/clock.js';
import type { Message } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import { topics } from '../ports/fanout.js';
import type { Deployment } from '../ports/store.js';
import type { ChatService } from './chat-service.js';
import { chatCore } from './chat.testkit.js';
import type { DomainEvent } from './domain-events.js';
import { ChatError } from './errors.js';
import { account } from './views.testkit.js';

const T0 = Date.parse('2030-01-01T09:00:00.000Z');

const deployment = (id: string, asyncPolicy: Partial<Deployment['asyncPolicy']> = {}): Deployment => ({
  id,
  name: id,
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thanks, we will be back.', ...asyncPolicy },
  defaultQueue: 'Support',
  createdAt: new Date(T0).toISOString(),
  settings: {},
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: unknown) => (err instanceof ChatError ? `${err.code}: ${err.message}` : err),
  );

/** ChatService's use cases on the SQLite store, without HTTP: what they write, publish and wake. */
describe('ChatService (core, on the SQLite store)', () => {
  let store: SqliteStore;
  let fanout: MemoryFanout;
  let chat: ChatService;
  let published: DomainEvent[];
  let woken: string[];
  let now: number;
  const shop = deployment('shop');
  const asyncShop = deployment('async-shop', { mode: 'async' });
  const noticeShop = deployment('notice-shop', { mode: 'async', afterCompletion: 'notice', noticeWindowSeconds: 60 });
  const ann = account('ann', 'agent');

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    fanout = new MemoryFanout();
    now = T0;
    const core = chatCore(store, { fanout, clock: { now: () => now } });
    chat = core.chat;
    published = [];
    for (const type of [
      'SessionStarted',
      'SessionEnded',
      'MessageAppended',
      'CustomerTextReceived',
      'ParticipantJoined',
      'ParticipantLeft',
      'InteractionStateChanged',
      'InteractionAssigned',
    ] as const) {
      core.events.on(type, (e) => void published.push(e));
    }
    woken = [];
    const notify = fanout.notify.bind(fanout);
    fanout.notify = async (topic) => {
      woken.push(topic);
      await notify(topic);
    };
    await store.tx(async (tx) => {
      for (const d of [shop, asyncShop, noticeShop]) await tx.insertDeployment(d);
      await tx.upsertQueue({ id: 'q-async', deploymentId: asyncShop.id, name: 'Support', skills: [], language: null, offerTimeoutSeconds: 20, stickySeconds: 600 });
      await tx.insertAccount(ann);
    });
  });
  afterEach(() => store.close());

  const log = (sessionId: string) => store.tx((tx) => tx.listMessages(sessionId, { visibilities: ['All', 'Int', 'Vip'], limit: 1000 }));
  const kinds = (messages: Message[]) => messages.map((m) => (m.type === 'System' ? `System:${String(m.data?.interactionState)}` : `${m.type}${m.text ? `:${m.text}` : ''}`));
  const types = () => published.map((e) => e.type);
  const reset = () => {
    published.length = 0;
    woken.length = 0;
  };

  it('starts a session: customer, first interaction and log in one write, then the fan-out, then the events', async () => {
    const { session, participant, interaction } = await chat.startSession(shop, { nickname: 'Carol', email: 'c@example.com' });
    expect(session).toMatchObject({ deploymentId: 'shop', async: false, state: 'Active', userData: { EmailAddress: 'c@example.com' } });
    expect(participant).toMatchObject({ type: 'Customer', nickname: 'Carol', state: 'Connected' });
    expect(interaction).toMatchObject({ state: 'Queued', queue: 'Support' });
    expect(kinds(await log(session.id))).toEqual(['ParticipantJoined', 'System:Queued']);
    expect(types()).toEqual(['MessageAppended', 'ParticipantJoined', 'MessageAppended', 'InteractionStateChanged', 'SessionStarted']);
    expect(published.every((e) => e.sessionId === session.id && e.deploymentId === 'shop')).toBe(true);
    expect(woken).toEqual(expect.arrayContaining([topics.session(session.id), topics.routing, topics.deploymentQueue('shop'), topics.supervisors]));
  });

  it('sends a customer Text once per operationId: a retry returns the first message, writes, wakes and publishes nothing', async () => {
    const { session, participant } = await chat.startSession(shop, { nickname: 'Carol' });
    reset();
    const first = await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello' }, 'op-1');
    expect(types()).toEqual(['MessageAppended', 'CustomerTextReceived']);
    const received = published[1] as Extract<DomainEvent, { type: 'CustomerTextReceived' }>;
    expect(received.message).toEqual(first);
    expect(woken).toEqual([topics.session(session.id)]);

    reset();
    expect(await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello' }, 'op-1')).toEqual(first);
    expect(published).toEqual([]);
    expect(woken).toEqual([]);
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello' }, 'op-2');
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello' });
    expect(kinds(await log(session.id)).filter((k) => k === 'Text:hello')).toHaveLength(3);
  });

  it('keeps operationIds apart per use case and writer: the same id from the customer and from an agent are two writes', async () => {
    const { session, participant, interaction } = await chat.startSession(shop, { nickname: 'Carol' });
    await chat.accept(interaction.id, ann);
    const fromCustomer = await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'from the customer' }, 'same-id');
    const fromAgent = await chat.agentSend(session.id, ann, { type: 'Text', text: 'from the agent', visibility: 'All' }, 'same-id');
    const notice = await chat.customerNotice(session.id, participant.id, 'a page notice', 'same-id');
    expect(new Set([fromCustomer.id, fromAgent.id, notice.id]).size).toBe(3);
    expect(await chat.agentSend(session.id, ann, { type: 'Text', text: 'from the agent', visibility: 'All' }, 'same-id')).toEqual(fromAgent);
  });

  it('a refused write leaves nothing: no message, no notification, no event', async () => {
    const { session, participant } = await chat.startSession(shop, { nickname: 'Carol' });
    reset();
    expect(await refusal(chat.agentSend(session.id, ann, { type: 'Text', text: 'not joined', visibility: 'All' }))).toMatch(/^FORBIDDEN/);
    expect(await refusal(chat.customerSend(session.id, participant.id, { type: 'Text', text: 'x'.repeat(chat.limits.maxMessageLength + 1) }))).toMatch(/^PAYLOAD_TOO_LARGE/);
    expect(published).toEqual([]);
    expect(woken).toEqual([]);
    expect(kinds(await log(session.id))).toEqual(['ParticipantJoined', 'System:Queued']);
  });

  it('an agent accepts, marks done and completes: a sync chat ends with its interaction, and writes to it are refused', async () => {
    const { session, participant, interaction } = await chat.startSession(shop, { nickname: 'Carol' });
    reset();
    await chat.accept(interaction.id, ann);
    expect(types()).toEqual(['MessageAppended', 'InteractionStateChanged', 'MessageAppended', 'ParticipantJoined', 'InteractionAssigned']);
    expect(woken).toEqual(expect.arrayContaining([topics.agent('ann'), topics.supervisors]));
    await chat.markDone(interaction.id, ann);
    reset();
    const completed = await chat.complete(interaction.id, ann);
    expect(completed.state).toBe('Completed');
    expect(types()).toEqual(['MessageAppended', 'ParticipantLeft', 'MessageAppended', 'InteractionStateChanged', 'MessageAppended', 'ParticipantLeft', 'SessionEnded']);
    // The agent has room again: routing is woken.
    expect(woken).toContain(topics.routing);
    expect(kinds(await log(session.id))).toEqual([
      'ParticipantJoined',
      'System:Queued',
      'System:Handling',
      'ParticipantJoined',
      'System:Finalizing',
      'ParticipantLeft',
      'System:Completed',
      'ParticipantLeft',
    ]);
    expect(await refusal(chat.customerSend(session.id, participant.id, { type: 'Text', text: 'still there?' }))).toBe('INVALID_SESSION: session has ended');
  });

  it('the customer leaving ends the session: a waiting interaction completes, the customer leaves; a retry of the leave changes nothing', async () => {
    const { session, participant } = await chat.startSession(shop, { nickname: 'Carol' });
    reset();
    await chat.customerLeave(session.id, participant.id, 'bye-1');
    expect(types()).toEqual(['MessageAppended', 'InteractionStateChanged', 'MessageAppended', 'ParticipantLeft', 'SessionEnded']);
    expect((await store.tx((tx) => tx.getSession(session.id)))?.state).toBe('Ended');
    expect(kinds(await log(session.id)).slice(-2)).toEqual(['System:Completed', 'ParticipantLeft']);
    reset();
    await chat.customerLeave(session.id, participant.id, 'bye-1');
    expect(published).toEqual([]);
    expect(await refusal(chat.customerLeave(session.id, participant.id, 'bye-2'))).toBe('INVALID_SESSION: session has ended');
  });

  it('segment rule (async): a Text after the agent closed the segment opens the next interaction, offered first to that agent; the wrap-up goes on', async () => {
    const { session, participant, interaction } = await chat.startSession(asyncShop, { nickname: 'Carol' });
    expect(session.async).toBe(true);
    await chat.accept(interaction.id, ann);
    await chat.markDone(interaction.id, ann);
    reset();
    now += 5_000;
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'one more thing' });
    const interactions = await store.tx((tx) => tx.listInteractions({ sessionId: session.id }));
    const next = interactions.find((i) => i.id !== interaction.id)!;
    expect(interactions.find((i) => i.id === interaction.id)?.state).toBe('Finalizing');
    expect(next).toMatchObject({ state: 'Queued', preferredAgentId: 'ann', preferredUntil: new Date(now + 600_000).toISOString() });
    expect(published.find((e) => e.type === 'CustomerTextReceived')).toBeDefined();
    expect(woken).toEqual(expect.arrayContaining([topics.routing, topics.agent('ann')]));
    // The agent finishes the wrap-up of the first one: its completion is for staff only.
    await chat.complete(interaction.id, ann);
    const completion = (await log(session.id)).filter((m) => m.interactionId === interaction.id && m.data?.interactionState === 'Completed');
    expect(completion.map((m) => m.visibility)).toEqual(['Int']);
  });

  it('segment rule (async, notice policy): a Text within the window after the segment closed gets the notice, and no new interaction', async () => {
    const { session, participant, interaction } = await chat.startSession(noticeShop, { nickname: 'Carol' });
    await chat.accept(interaction.id, ann);
    await chat.markDone(interaction.id, ann);
    now += 10_000;
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'thanks!' });
    expect(kinds(await log(session.id)).slice(-2)).toEqual(['Text:thanks!', 'Notice:Thanks, we will be back.']);
    expect((await store.tx((tx) => tx.listInteractions({ sessionId: session.id }))).map((i) => i.state)).toEqual(['Finalizing']);
    now += 120_000;
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'hello again' });
    expect((await store.tx((tx) => tx.listInteractions({ sessionId: session.id }))).map((i) => i.state).sort()).toEqual(['Finalizing', 'Queued']);
  });

  it('a synchronous chat takes a Text while Finalizing as just a message', async () => {
    const { session, participant, interaction } = await chat.startSession(shop, { nickname: 'Carol' });
    await chat.accept(interaction.id, ann);
    await chat.markDone(interaction.id, ann);
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'ok' });
    expect((await store.tx((tx) => tx.listInteractions({ sessionId: session.id }))).map((i) => i.state)).toEqual(['Finalizing']);
  });

  it('a repeated start returns the first session only to the same requester', async () => {
    const first = await chat.startSession(shop, { nickname: 'Carol' }, { operationId: 'start-1', requester: 'browser-a' });
    reset();
    const again = await chat.startSession(shop, { nickname: 'Carol' }, { operationId: 'start-1', requester: 'browser-a' });
    expect(again.session.id).toBe(first.session.id);
    expect(published).toEqual([]);
    const stranger = await chat.startSession(shop, { nickname: 'Mallory' }, { operationId: 'start-1', requester: 'browser-b' });
    expect(stranger.session.id).not.toBe(first.session.id);
    expect(types()).toContain('SessionStarted');
  });
});

describe('ChatService.waitFor (a long poll hold)', () => {
  const empty = { messages: [], lastDeliveredIndex: null, chatEnded: false };
  /** A fan-out that can lose notifications (as Redis can): readers re-check on a timer. */
  class LossyFanout extends MemoryFanout {
    override readonly recheckMs = 60_000 as number;
  }
  const holdWith = async (fanout: MemoryFanout, notifyAfterMs?: number, clock?: Clock) => {
    const store = new SqliteStore(':memory:');
    const { chat } = chatCore(store, { fanout, ...(clock ? { clock } : {}) });
    let reads = 0;
    const answered = [
      { ...empty, lastDeliveredIndex: 'first' },
      { ...empty, lastDeliveredIndex: 'again' },
    ];
    if (notifyAfterMs !== undefined) setTimeout(() => void fanout.notify(topics.session('s1')), notifyAfterMs);
    const result = await chat.waitFor('s1', 40, async () => answered[Math.min(reads++, 1)]!);
    store.close();
    return { reads, result: result.lastDeliveredIndex };
  };

  it('a hold that runs out unwoken on a fan-out that loses nothing answers its read, without reading again', async () => {
    expect(await holdWith(new MemoryFanout())).toEqual({ reads: 1, result: 'first' });
  });

  it('on a fan-out that can lose notifications, and after a wake, the store is read again', async () => {
    expect(await holdWith(new LossyFanout())).toEqual({ reads: 2, result: 'again' });
    expect(await holdWith(new MemoryFanout(), 5)).toMatchObject({ result: 'again' });
  });

  it('ends when its timer fires, though the clock has not reached the deadline yet (timers may fire a millisecond early)', async () => {
    // A clock that never moves: before, the hold read again and waited again, for ever.
    const frozen = { now: () => 1_000_000 };
    expect(await holdWith(new LossyFanout(), undefined, frozen)).toEqual({ reads: 2, result: 'again' });
    expect(await holdWith(new MemoryFanout(), undefined, frozen)).toEqual({ reads: 1, result: 'first' });
  });
});
