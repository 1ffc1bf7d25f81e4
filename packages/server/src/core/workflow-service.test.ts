import type { Message } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import { demoFlow } from '../flows/demo-flow.js';
import { FlowEngine } from '../flows/engine.js';
import { systemClock } from '../ports/clock.js';
import { topics } from '../ports/fanout.js';
import type { Deployment } from '../ports/store.js';
import type { ChatService } from './chat-service.js';
import { chatCore } from './chat.testkit.js';
import { ChatError } from './errors.js';
import { RoutingService } from './routing-service.js';
import { TicketService } from './ticket-service.js';
import { WORKFLOW_PARTICIPANT_ID, WorkflowService } from './workflow-service.js';

const deployment = (id: string, settings: Deployment['settings'] = {}): Deployment => ({
  id,
  name: id,
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thank you.' },
  defaultQueue: 'Support',
  createdAt: new Date().toISOString(),
  settings,
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: unknown) => (err instanceof ChatError ? `${err.code}: ${err.message}` : err),
  );

describe('WorkflowService and TicketService (core, on the SQLite store)', () => {
  let store: SqliteStore;
  let fanout: MemoryFanout;
  let chat: ChatService;
  let workflows: WorkflowService;
  let tickets: TicketService;
  const shop = deployment('shop');
  const other = deployment('other', { appName: 'other-app' });
  const botShop = deployment('bot-shop', { flow: demoFlow });

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    fanout = new MemoryFanout();
    const core = chatCore(store, { fanout });
    chat = core.chat;
    const flows = new FlowEngine(store, systemClock, core.writer, new RoutingService(store, fanout, systemClock, core.writer), chat.limits.maxMessageLength);
    workflows = new WorkflowService(store, chat, flows, 'parley');
    tickets = new TicketService(store, flows);
    await store.tx(async (tx) => {
      for (const d of [shop, other, botShop]) await tx.insertDeployment(d);
    });
  });
  afterEach(() => store.close());

  const start = async (d = shop) => (await chat.startSession(d, { nickname: 'Ann' })).session.id;
  const log = (sessionId: string) => store.tx((tx) => tx.listMessages(sessionId, { visibilities: ['All', 'Int', 'Vip'], limit: 1000 }));

  it('shows a session to its own deployment only, with IsOnline and the application name', async () => {
    const id = await start();
    const view = await workflows.session(shop, id);
    expect(view).toMatchObject({ online: true, serverAppName: 'parley', session: { id } });
    expect(view.interactions.map((i) => i.state)).toEqual(['Queued']);
    expect(await refusal(workflows.session(other, id))).toBe('NOT_FOUND: session not found');
    expect((await workflows.session(other, await start(other))).serverAppName).toBe('other-app');
  });

  it('writes a message once per operationId, from the workflow, and wakes the session', async () => {
    const id = await start();
    let woken = 0;
    fanout.listen(topics.session(id), () => woken++);
    const input = { text: 'Hello from the router', messageType: 'Waiting', nickname: 'Router', visibility: 'Int' as const };
    const first = await workflows.message(shop, id, input, 'op-1');
    const again = await workflows.message(shop, id, input, 'op-1');
    expect(again).toEqual(first);
    expect(first).toMatchObject({ type: 'Text', subtype: 'Waiting', visibility: 'Int', from: { participantId: WORKFLOW_PARTICIPANT_ID, type: 'External', nickname: 'Router' } });
    expect(woken).toBeGreaterThanOrEqual(1);
    await workflows.message(shop, id, input, 'op-2');
    await workflows.message(shop, id, { text: 'no id', visibility: 'All' });
    await workflows.message(shop, id, { text: 'no id', visibility: 'All' });
    const texts = (await log(id)).map((m) => m.text).filter(Boolean);
    expect(texts).toEqual(['Hello from the router', 'Hello from the router', 'no id', 'no id']);
    expect((await log(id)).find((m) => m.text === 'no id')!.from.nickname).toBe('Workflow');
  });

  it('refuses text over the limit, another deployment, and a new write into an ended chat (a retry still gets its answer)', async () => {
    const id = await start();
    expect(await refusal(workflows.message(shop, id, { text: 'x'.repeat(chat.limits.maxMessageLength + 1), visibility: 'All' }))).toMatch(/^PAYLOAD_TOO_LARGE: MessageText is longer than/);
    expect(await refusal(workflows.message(other, id, { text: 'hi', visibility: 'All' }, 'op-x'))).toBe('NOT_FOUND: session not found');
    const first = await workflows.notice(shop, id, { kind: 'custom', text: 'before', visibility: 'All' }, 'op-n');
    const session = (await store.tx((tx) => tx.getSession(id)))!;
    await chat.customerLeave(id, session.customerParticipantId);
    expect(await workflows.notice(shop, id, { kind: 'custom', text: 'before', visibility: 'All' }, 'op-n')).toEqual(first);
    expect(await refusal(workflows.notice(shop, id, { kind: 'custom', text: 'after', visibility: 'All' }, 'op-m'))).toBe(
      'INVALID_SESSION: the chat is offline (IsOnline is 0): nothing can be sent into it',
    );
    expect(await refusal(workflows.uiEvent(shop, id, { name: 'ui-event-close-promotion', data: {} }))).toMatch(/^INVALID_SESSION/);
    expect((await workflows.session(shop, id)).online).toBe(false);
  });

  it('pushes URLs and custom notices, and UI events from the System participant', async () => {
    const id = await start();
    const url = await workflows.notice(shop, id, { kind: 'pushUrl', url: 'https://example.com/faq', visibility: 'All' });
    expect(url).toMatchObject({ type: 'PushUrl', url: 'https://example.com/faq', text: 'https://example.com/faq', subtype: 'USER_PUSHED_URL' });
    const custom = await workflows.notice(shop, id, { kind: 'custom', text: '{"a":1}', nickname: 'CRM', visibility: 'Vip' });
    expect(custom).toMatchObject({ type: 'Notice', text: '{"a":1}', subtype: 'USER_CUSTOM', visibility: 'Vip', from: { nickname: 'CRM' } });
    const event = await workflows.uiEvent(shop, id, { name: 'ui-event-update-promotion', data: { title: 'Exit?' } }, 'ev-1');
    await workflows.uiEvent(shop, id, { name: 'ui-event-update-promotion', data: { title: 'Exit?' } }, 'ev-1');
    expect(event).toMatchObject({ type: 'Notice', subtype: 'UiEvent', event: 'ui-event-update-promotion', data: { title: 'Exit?' }, from: { type: 'System' } });
    expect((await log(id)).filter((m: Message) => m.event === 'ui-event-update-promotion')).toHaveLength(1);
  });

  it("takes a bot's answer only while the session is with the bot", async () => {
    const queued = await start();
    expect(await refusal(workflows.botReply(shop, queued, { replies: ['hi'] }))).toBe('CONFLICT: the session is not with the bot (its interaction is Queued)');
    const withBot = await start(botShop);
    await workflows.botReply(botShop, withBot, { replies: ['Let me get you a person.'], handoff: { queue: 'Nowhere', priority: 3 } });
    const [interaction] = (await workflows.session(botShop, withBot)).interactions;
    expect(interaction).toMatchObject({ state: 'Queued', queue: 'Support', priority: 3 });
    expect((await log(withBot)).some((m) => m.text === 'Let me get you a person.' && m.from.type === 'Workflow')).toBe(true);
    expect(await refusal(workflows.botReply(shop, withBot, {}))).toBe('NOT_FOUND: session not found');
  });

  it("applies a bot's answer once per operationId; a retry after its hand-off is accepted and changes nothing", async () => {
    const id = await start(botShop);
    await workflows.botReply(botShop, id, { replies: ['Said once'] }, 'bot-1');
    await workflows.botReply(botShop, id, { replies: ['Said once'] }, 'bot-1');
    await workflows.botReply(botShop, id, { replies: ['Said twice'] });
    await workflows.botReply(botShop, id, { replies: ['Said twice'] });
    const said = (await log(id)).map((m) => m.text).filter((t) => t?.startsWith('Said'));
    expect(said).toEqual(['Said once', 'Said twice', 'Said twice']);

    await workflows.botReply(botShop, id, { replies: ['Over to a person'], handoff: {} }, 'bot-2');
    await workflows.botReply(botShop, id, { replies: ['Over to a person'], handoff: {} }, 'bot-2');
    expect((await log(id)).filter((m) => m.text === 'Over to a person')).toHaveLength(1);
    expect((await workflows.session(botShop, id)).interactions.map((i) => i.state)).toEqual(['Queued']);
    expect(await refusal(workflows.botReply(botShop, id, { replies: ['late'] }, 'bot-3'))).toMatch(/^CONFLICT/);
  });

  it("lists a deployment's tickets by state, gets and closes them; another deployment's are not found", async () => {
    const a = await start();
    const b = await start();
    await start(other);
    const open = await tickets.list(shop, { state: 'open' });
    expect(open.map((t) => t.sessionId).sort()).toEqual([a, b].sort());
    expect((await tickets.list(shop, { state: 'open', sessionId: a })).map((t) => t.sessionId)).toEqual([a]);
    const ticket = open.find((t) => t.sessionId === a)!;
    expect(await tickets.get(shop, ticket.id)).toEqual(ticket);
    expect(await refusal(tickets.get(other, ticket.id))).toBe('NOT_FOUND: ticket not found');
    expect(await refusal(tickets.close(other, ticket.id, 'x'))).toBe('NOT_FOUND: ticket not found');

    const closed = await tickets.close(shop, ticket.id, '');
    expect(closed).toMatchObject({ id: ticket.id, state: 'Completed', wrapUpCode: 'closed-by-api' });
    expect((await log(a)).some((m) => m.visibility === 'Int' && m.text === 'Ticket closed: closed through the ticket API')).toBe(true);
    expect(await refusal(tickets.close(shop, ticket.id, 'again'))).toBe('CONFLICT: the ticket is already closed');
    expect((await tickets.list(shop, { state: 'closed' })).map((t) => t.id)).toEqual([ticket.id]);
    expect(await tickets.list(shop, { state: 'all' })).toHaveLength(2);
  });
});
