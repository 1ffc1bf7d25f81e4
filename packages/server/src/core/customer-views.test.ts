import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { ChatService } from './chat-service.js';
import { CustomerViews } from './customer-views.js';
import { systemClock } from '../ports/clock.js';
import { SupervisionService } from './supervision.js';
import { account, deployment, openCoreFixture } from './views.testkit.js';

describe('CustomerViews', () => {
  let store: SqliteStore;
  let chat: ChatService;
  let supervision: SupervisionService;
  let views: CustomerViews;
  const ann = account('ann', 'agent');
  const sue = account('sue', 'supervisor');
  beforeEach(async () => {
    const fixture = await openCoreFixture([ann, sue]);
    ({ store, chat } = fixture);
    supervision = new SupervisionService(store, fixture.writer, systemClock);
    views = new CustomerViews(store, chat);
  });
  afterEach(() => store.close());

  it('knows the customer and the agent who joined, never a silent monitor; a whisper does not reveal one', async () => {
    const started = await chat.startSession(deployment, { nickname: 'Carol' });
    const sessionId = started.session.id;
    expect((await views.knownParticipants(sessionId)).map((p) => p.type)).toEqual(['Customer']);
    await chat.accept(started.interaction.id, ann);
    await supervision.monitor(sessionId, sue);
    await supervision.whisper(sessionId, sue, 'offer the discount');
    const known = await views.knownParticipants(sessionId);
    expect(known.map((p) => p.nickname).sort()).toEqual(['ANN', 'Carol']);
  });

  it('reads the whole visible log across pages, without Int or Vip messages', async () => {
    const started = await chat.startSession(deployment, { nickname: 'Carol' });
    const sessionId = started.session.id;
    await chat.accept(started.interaction.id, ann);
    await chat.agentSend(sessionId, ann, { type: 'Text', text: 'internal note', visibility: 'Int' });
    for (let i = 0; i < 520; i++) await chat.customerSend(sessionId, started.participant.id, { type: 'Text', text: `line ${i}` });
    const log = await views.visibleLog(sessionId);
    const texts = log.filter((m) => m.type === 'Text').map((m) => m.text);
    expect(texts).toHaveLength(520);
    expect(texts[0]).toBe('line 0');
    expect(texts[519]).toBe('line 519');
    expect(log.every((m) => m.visibility === 'All')).toBe(true);
    expect(new Set(log.map((m) => m.index)).size).toBe(log.length);
  });
});
