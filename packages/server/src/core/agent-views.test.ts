import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { Account, Deployment, Role } from '../ports/store.js';
import { AgentViews } from './agent-views.js';
import { ChatService } from './chat-service.js';

const deployment: Deployment = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings: {},
};
const account = (id: string, role: Role): Account => ({
  id,
  username: id,
  displayName: id.toUpperCase(),
  passwordHash: 'x',
  role,
  createdAt: new Date(0).toISOString(),
  tokenGeneration: 0,
  disabled: false,
});

describe('AgentViews', () => {
  let store: SqliteStore;
  let chat: ChatService;
  let views: AgentViews;
  const ann = account('ann', 'agent');
  const bob = account('bob', 'agent');
  const sue = account('sue', 'supervisor');
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    chat = new ChatService(store, new MemoryFanout(), { now: () => Date.now() });
    views = new AgentViews(store);
    await store.tx(async (tx) => {
      await tx.insertDeployment(deployment);
      for (const a of [ann, bob, sue]) await tx.insertAccount(a);
    });
  });
  afterEach(() => store.close());

  /** Three chats: Ann handles the first, Bob the second, the third waits in the queue. */
  const threeChats = async () => {
    const [a, b, c] = [
      await chat.startSession(deployment, { nickname: 'Carol' }),
      await chat.startSession(deployment, { nickname: 'Dave' }),
      await chat.startSession(deployment, { nickname: 'Erin' }),
    ];
    await chat.accept(a.interaction.id, ann);
    await chat.accept(b.interaction.id, bob);
    return { annChat: a, bobChat: b, waiting: c };
  };
  const ids = (list: { id: string }[]) => list.map((i) => i.id).sort();

  it("shows an agent the waiting queue and their own work, never another agent's, each with its customer's name", async () => {
    const { annChat, bobChat, waiting } = await threeChats();
    const seen = await views.interactionsFor(ann, {});
    expect(ids(seen)).toEqual(ids([annChat.interaction, waiting.interaction]));
    expect(seen.map((i) => i.id)).not.toContain(bobChat.interaction.id);
    expect(seen.find((i) => i.id === annChat.interaction.id)?.customer.nickname).toBe('Carol');
    expect(seen.find((i) => i.id === waiting.interaction.id)?.customer.nickname).toBe('Erin');
    // A state filter without Queued leaves the queue out.
    expect(ids(await views.interactionsFor(ann, { states: ['Handling'] }))).toEqual([annChat.interaction.id]);
    expect(ids(await views.interactionsFor(ann, { mine: true }))).toEqual([annChat.interaction.id]);
  });

  it('shows a supervisor every interaction; with mine, only their own', async () => {
    const { annChat, bobChat, waiting } = await threeChats();
    expect(ids(await views.interactionsFor(sue, {}))).toEqual(ids([annChat.interaction, bobChat.interaction, waiting.interaction]));
    expect(await views.interactionsFor(sue, { mine: true })).toEqual([]);
  });

  it("puts only the account's open work on its desk", async () => {
    const { annChat } = await threeChats();
    expect((await views.openWorkOf(ann)).map((i) => [i.id, i.state, i.customer.nickname])).toEqual([[annChat.interaction.id, 'Handling', 'Carol']]);
    await chat.markDone(annChat.interaction.id, ann);
    expect((await views.openWorkOf(ann)).map((i) => i.state)).toEqual(['Finalizing']);
    await chat.complete(annChat.interaction.id, ann);
    expect(await views.openWorkOf(ann)).toEqual([]);
  });

  it('lists the sessions an account took part in with customer and interactions', async () => {
    const { annChat } = await threeChats();
    const sessions = await views.sessionsOf(ann);
    expect(sessions.map((s) => s.id)).toEqual([annChat.session.id]);
    expect(sessions[0]!.customer.nickname).toBe('Carol');
    expect(sessions[0]!.interactions.map((i) => [i.id, i.agentAccountId])).toEqual([[annChat.interaction.id, 'ann']]);
  });

  it('reads canned responses and wrap-up codes as stored', async () => {
    await store.tx(async (tx) => {
      await tx.insertCannedResponse({ id: 'c1', title: 'Hello', text: 'Hello, how can I help?' });
      await tx.upsertWrapUpCode({ code: 'SOLVED', label: 'Solved' });
    });
    expect(await views.cannedResponses()).toEqual([{ id: 'c1', title: 'Hello', text: 'Hello, how can I help?' }]);
    expect(await views.wrapUpCodes()).toEqual([{ code: 'SOLVED', label: 'Solved' }]);
  });
});
