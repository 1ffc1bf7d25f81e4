import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { Deployment, Store } from '../ports/store.js';
import { chatCore } from './chat.testkit.js';
import { DomainEvents, type DomainEvent } from './domain-events.js';

const shop: Deployment = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings: {},
};

const appended = (sessionId: string): DomainEvent => ({
  type: 'MessageAppended',
  sessionId,
  deploymentId: 'shop',
  message: { id: 'm', sessionId, index: '1-0', utcTime: new Date(0).toISOString(), type: 'Text', from: { participantId: 'p', type: 'Customer' }, visibility: 'All', text: 'hi' },
});

describe('DomainEvents', () => {
  it('calls handlers in subscription order; a throwing or rejecting handler is reported and the others still run', async () => {
    const events = new DomainEvents();
    const calls: string[] = [];
    const failures: string[] = [];
    events.onHandlerError = (err, event) => failures.push(`${event.type}: ${(err as Error).message}`);
    events.on('MessageAppended', () => void calls.push('first'));
    events.on('MessageAppended', () => {
      throw new Error('thrown');
    });
    events.on('MessageAppended', async () => {
      throw new Error('rejected');
    });
    const off = events.on('MessageAppended', () => void calls.push('last'));
    events.on('SessionEnded', () => void calls.push('other type'));
    events.publish(appended('s1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['first', 'last']);
    expect(failures).toEqual(['MessageAppended: thrown', 'MessageAppended: rejected']);
    off();
    events.publish(appended('s2'));
    expect(calls).toEqual(['first', 'last', 'first']);
  });

  it('does not wait for a handler: a slow subscriber never holds up the writer', async () => {
    const store = new SqliteStore(':memory:');
    try {
      await store.tx((tx) => tx.insertDeployment(shop));
      const { chat, events } = chatCore(store);
      events.on('SessionStarted', () => new Promise<void>(() => {}));
      const started = await chat.startSession(shop, { nickname: 'Carol' });
      expect(started.session.state).toBe('Active');
    } finally {
      store.close();
    }
  });
});

describe('LogWriter', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.tx((tx) => tx.insertDeployment(shop));
  });
  afterEach(() => store.close());

  it('publishes after the commit: a subscriber reading the store finds the write', async () => {
    const { chat, events } = chatCore(store);
    const seen: (string | undefined)[] = [];
    events.on('CustomerTextReceived', async (e) => {
      const log = await store.tx((tx) => tx.listMessages(e.sessionId, { visibilities: ['All'], limit: 100 }));
      seen.push(log.find((m) => m.id === e.message.id)?.text);
    });
    const { session, participant } = await chat.startSession(shop, { nickname: 'Carol' });
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'committed' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['committed']);
  });

  it('a transaction the store runs again publishes and wakes only what its committed attempt did', async () => {
    // A store that rolls back the first attempt of every transaction and runs it again, as the
    // PostgreSQL adapter does on a serialization failure.
    class Retry extends Error {}
    const retrying: Store = {
      tx: async (fn) => {
        await store
          .tx(async (tx) => {
            await fn(tx);
            throw new Retry();
          })
          .catch((err: unknown) => {
            if (!(err instanceof Retry)) throw err;
          });
        return store.tx(fn);
      },
      read: (fn) => store.read(fn),
      close: () => store.close(),
    };
    const { chat, events, fanout } = chatCore(retrying);
    const published: string[] = [];
    events.on('MessageAppended', (e) => void published.push(e.message.type));
    events.on('SessionStarted', (e) => void published.push(e.type));
    const woken: string[] = [];
    const notify = fanout.notify.bind(fanout);
    fanout.notify = async (topic) => {
      woken.push(topic);
      await notify(topic);
    };
    const { session, participant } = await chat.startSession(shop, { nickname: 'Carol' });
    await chat.customerSend(session.id, participant.id, { type: 'Text', text: 'once' });
    expect(published).toEqual(['ParticipantJoined', 'System', 'SessionStarted', 'Text']);
    expect(woken.filter((t) => t === `session:${session.id}`)).toHaveLength(2);
    const log = await store.tx((tx) => tx.listMessages(session.id, { visibilities: ['All'], limit: 100 }));
    expect(log.map((m) => m.type)).toEqual(['ParticipantJoined', 'System', 'Text']);
  });
});
