/**
 * Outgoing webhooks end to end: a real receiver (node:http) that goes down and comes back, the
 * server restarted in between on the same data, several nodes sending one outbox. Runs on SQLite
 * (integration) and PostgreSQL + Redis (integration-pg).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, webhookEvent, webhookEventData } from '@parley/protocol';
import { Agent, createTestData, http, nodesOnOneData, SteppedClock, startServer, testBackend, V3, V3Customer, type Running, type TestData, AGENT } from './helpers.js';
import { WebhookDispatcher, defaultWebhookDispatch } from '../src/core/webhooks/dispatcher.js';
import { systemClock } from '../src/ports/clock.js';
import { WebhookReceiver, type Received } from './webhook-receiver.js';

const FAST = { WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_MAX_MS: '150', WEBHOOK_TIMEOUT_MS: '2000' };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** A webhook receiver, taken down after the test. */
async function receiverUp(): Promise<WebhookReceiver> {
  const receiver = new WebhookReceiver();
  await receiver.up();
  cleanup.push(() => receiver.down());
  return receiver;
}

/** A test database (or SQLite file), dropped after the test. */
async function testData(): Promise<TestData> {
  const data = await createTestData();
  cleanup.push(() => data.drop());
  return data;
}

async function start(data: TestData): Promise<Running> {
  const srv = await startServer(FAST, undefined, { data });
  cleanup.push(() => srv.close());
  return srv;
}

async function adminOf(srv: Running): Promise<Agent> {
  return new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
}
const adminCall = (srv: Running, admin: Agent, method: string, path: string, json?: unknown) =>
  http(`${srv.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${admin.token}` }, ...(json !== undefined ? { json } : {}) });

/** The events received for one session, duplicates (at least once) folded. */
const eventsOf = (received: Received[], sessionId: string) => {
  const seen = new Set<string>();
  return received.map((r) => r.event).filter((e) => e.sessionId === sessionId && !seen.has(e.id) && seen.add(e.id));
};
const texts = (events: any[]) => events.filter((e) => e.type === 'message.created' && e.data.message.type === 'Text').map((e) => e.data.message.text);

describe('outgoing webhooks', () => {
  it('delivers every event once the receiver is back after an outage and a restart: signed, in order per session', async () => {
    const receiver = await receiverUp();
    const data = await testData();
    let srv = await start(data);
    let admin = await adminOf(srv);
    const created = await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: [...WEBHOOK_EVENT_TYPES], visibilities: ['All', 'Int'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secret = created.body.secret;
    const hookId = created.body.webhook.id;
    expect(JSON.stringify((await adminCall(srv, admin, 'GET', '/webhooks')).body)).not.toContain(created.body.secret);

    const a = new V3Customer(srv.url);
    await a.start();
    expect((await a.send('Text', 'one')).status).toBe(200);
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(a.sessionId);
    expect((await agent.call('POST', `/sessions/${a.sessionId}/messages`, { type: 'Text', text: 'two' })).status).toBe(200);
    expect((await agent.call('POST', `/sessions/${a.sessionId}/messages`, { type: 'Text', text: 'internal note', visibility: 'Int' })).status).toBe(200);
    await receiver.until((r) => texts(eventsOf(r, a.sessionId)).includes('internal note'));

    // Down: nothing answers on the port. Events pile up in the outbox and are retried.
    await receiver.down();
    expect((await a.send('Text', 'three')).status).toBe(200);
    expect((await a.send('Text', 'four')).status).toBe(200);
    const b = new V3Customer(srv.url);
    await b.start();
    expect((await b.send('Text', 'b-one')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    const pending = await adminCall(srv, admin, 'GET', `/webhooks/${hookId}/deliveries?state=pending&sessionId=${a.sessionId}`);
    expect(pending.body.deliveries.length).toBeGreaterThanOrEqual(2);
    const head = pending.body.deliveries[pending.body.deliveries.length - 1];
    expect(head.attempts).toBeGreaterThan(1);
    expect(head.lastError).toBeTruthy();
    // Only the head of a session's queue is tried: the later ones wait for it.
    expect(pending.body.deliveries.slice(0, -1).every((d: any) => d.attempts === 0)).toBe(true);

    // A restart while the receiver is still down: the outbox is in the store.
    await srv.close();
    cleanup.pop();
    srv = await start(data);
    admin = await adminOf(srv);
    const a2 = Object.assign(new V3Customer(srv.url), { token: a.token, sessionId: a.sessionId, participantId: a.participantId });
    expect((await a2.send('Text', 'five')).status).toBe(200);
    await receiver.up();
    await receiver.until((r) => texts(eventsOf(r, a.sessionId)).includes('five') && texts(eventsOf(r, b.sessionId)).includes('b-one'));

    for (const r of receiver.received) {
      expect(r.signatureValid).toBe(true);
      expect(webhookEvent.parse(r.event)).toBeTruthy();
      expect(webhookEventData[r.event.type as keyof typeof webhookEventData].safeParse(r.event.data).success).toBe(true);
      expect(r.headers['parley-event']).toBe(r.event.type);
    }
    const ofA = eventsOf(receiver.received, a.sessionId);
    expect(texts(ofA)).toEqual(['one', 'two', 'internal note', 'three', 'four', 'five']);
    expect(ofA[0].type).toBe('session.started');
    expect(ofA.map((e) => e.type)).toContain('interaction.assigned');
    expect(ofA.filter((e) => e.type === 'interaction.state_changed').map((e) => e.data.interaction.state)).toEqual(expect.arrayContaining(['Queued', 'Handling']));
    // Every event in the outbox was received, in the outbox's order per session.
    const outbox = (await adminCall(srv, admin, 'GET', `/webhooks/${hookId}/deliveries?sessionId=${a.sessionId}&limit=500`)).body.deliveries.reverse();
    expect(outbox.every((d: any) => d.state === 'delivered')).toBe(true);
    expect(ofA.map((e) => e.id)).toEqual(outbox.map((d: any) => d.eventId));
    // Typing is never an event; Vip is not subscribed.
    expect(ofA.some((e) => e.type === 'message.created' && /^Typing/.test(e.data.message.type))).toBe(false);
  });

  it('sends each kind of change: transfer, assignment, ticket closed, session ended, survey answered, each body as its schema says', async () => {
    const receiver = await receiverUp();
    const srv = await startServer({ ...FAST, PARLEY_DEMO_SERVER_KEY: 'sk-webhooks-test-key-123' });
    cleanup.push(() => srv.close());
    const admin = await adminOf(srv);
    const created = await adminCall(srv, admin, 'POST', '/webhooks', {
      deploymentId: 'demo',
      url: receiver.url,
      events: ['interaction.transferred', 'interaction.assigned', 'ticket.closed', 'session.ended', 'survey.answered'],
    });
    receiver.secret = created.body.secret;
    const c = new V3Customer(srv.url);
    await c.start();
    const agent = await new Agent(srv.url).login();
    const agentId = (await agent.call('GET', '/me')).body.account.id;
    const first = await agent.acceptFor(c.sessionId);
    expect((await agent.call('POST', `/interactions/${first.id}/transfer`, { queue: 'Billing' })).status).toBe(200);
    await agent.acceptFor(c.sessionId);
    const closed = await http(`${srv.url}/workflow/v1/tickets/${first.id}/close`, { method: 'POST', headers: { 'x-api-key': 'sk-webhooks-test-key-123' }, json: { comments: 'done by the CRM' } });
    expect(closed.status).toBe(200);
    expect((await c.leave()).status).toBe(200);
    const rated = await http(`${srv.url}${V3}/${c.sessionId}/survey`, { method: 'POST', headers: c.headers(), form: { data: { rating: 4, comment: 'quick' } } });
    expect(rated.status).toBe(200);
    const events = await receiver.until((r) => r.some((x) => x.event.type === 'survey.answered'));
    expect(events.map((r) => r.event.type)).toEqual(['interaction.assigned', 'interaction.transferred', 'interaction.assigned', 'ticket.closed', 'session.ended', 'survey.answered']);
    for (const r of events) {
      expect(r.signatureValid).toBe(true);
      expect(webhookEventData[r.event.type as keyof typeof webhookEventData].parse(r.event.data)).toEqual(r.event.data);
    }
    expect(events[0]!.event.data.interaction).toMatchObject({ id: first.id, state: 'Handling', agentAccountId: agentId });
    expect(events[1]!.event.data).toMatchObject({ fromAccountId: agentId, toQueue: 'Billing', toAccountId: null, interaction: { id: first.id, state: 'Queued', queue: 'Billing' } });
    expect(events[3]!.event.data).toMatchObject({ comment: 'done by the CRM', interaction: { id: first.id, state: 'Completed', wrapUpCode: 'closed-by-api' } });
    expect(events[4]!.event.data).toMatchObject({ async: false, userData: { customerId: '59606' } });
    expect(events[5]!.event.data).toEqual({ interactionId: expect.any(String), answers: { rating: 4, comment: 'quick' } });
  });

  it('looks at the outbox with one statement and no transaction, and sends what it claims', async () => {
    const receiver = await receiverUp();
    const srv = await startServer({}, undefined, { sweepEveryMs: 0, routeEveryMs: 3_600_000 });
    cleanup.push(() => srv.close());
    // Passes by hand only, and no other periodic work: the timers' statements would count too.
    await srv.parley.webhooks.stop();
    await srv.parley.leadership.leads();
    await srv.parley.routing.kick();
    const work = (kind: string) => srv.parley.store.work!.get(kind);
    let before = { transactions: work('transactions'), statements: work('statements') };
    expect(await srv.parley.webhooks.pass()).toBe(0);
    expect({ transactions: work('transactions') - before.transactions, statements: work('statements') - before.statements }).toEqual({ transactions: 0, statements: 1 });

    const admin = await adminOf(srv);
    const created = await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: ['session.started'] });
    receiver.secret = created.body.secret;
    const c = new V3Customer(srv.url);
    await c.start();
    expect(await srv.parley.webhooks.pass()).toBe(1);
    await receiver.until((r) => r.some((x) => x.event.type === 'session.started' && x.event.sessionId === c.sessionId));
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    before = { transactions: work('transactions'), statements: work('statements') };
    expect(await srv.parley.webhooks.pass()).toBe(0);
    expect(work('transactions') - before.transactions).toBe(0);
  });

  it('keeps an event through an hour-long outage on the default backoff (time stepped), retrying about every ten minutes at most', async () => {
    const receiver = await receiverUp();
    const clock = new SteppedClock();
    receiver.now = () => clock.now();
    const srv = await startServer({ WEBHOOK_POLL_MS: '20' }, clock);
    cleanup.push(() => srv.close());
    const admin = await adminOf(srv);
    const created = await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: ['session.started', 'message.created'] });
    receiver.secret = created.body.secret;
    const c = new V3Customer(srv.url);
    await c.start();
    await receiver.until((r) => r.some((x) => x.event.type === 'session.started'));
    await receiver.down();
    expect((await c.send('Text', 'said during the outage')).status).toBe(200);
    for (let minute = 0; minute < 60; minute += 5) {
      clock.advance(5 * 60_000);
      await new Promise((r) => setTimeout(r, 60));
    }
    const [head] = (await adminCall(srv, admin, 'GET', `/webhooks/${created.body.webhook.id}/deliveries?state=pending&sessionId=${c.sessionId}`)).body.deliveries.slice(-1);
    expect(head.state).toBe('pending');
    expect(head.attempts).toBeGreaterThanOrEqual(5);
    expect(head.attempts).toBeLessThanOrEqual(20);
    expect(Date.parse(head.nextAttemptAt) - clock.now()).toBeLessThanOrEqual(600_000);
    await receiver.up();
    clock.advance(10 * 60_000);
    await receiver.until((r) => texts(eventsOf(r, c.sessionId)).includes('said during the outage'));
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('replays a delivery through the admin API, with the same event id, and sends nothing to a disabled webhook', async () => {
    const receiver = await receiverUp();
    const data = await testData();
    const srv = await start(data);
    const admin = await adminOf(srv);
    const created = await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: ['session.started', 'session.ended'] });
    receiver.secret = created.body.secret;
    const c = new V3Customer(srv.url);
    await c.start();
    await receiver.until((r) => r.some((x) => x.event.type === 'session.started'));
    const [delivered] = (await adminCall(srv, admin, 'GET', `/webhooks/${created.body.webhook.id}/deliveries`)).body.deliveries;
    expect(delivered).toMatchObject({ state: 'delivered', eventType: 'session.started', attempts: 1, lastStatus: 200, sessionId: c.sessionId });
    const replay = await adminCall(srv, admin, 'POST', `/webhook-deliveries/${delivered.id}/replay`);
    expect(replay.status).toBe(201);
    expect(replay.body.delivery).toMatchObject({ replayOf: delivered.id, eventId: delivered.eventId, state: 'pending' });
    await receiver.until((r) => r.filter((x) => x.event.id === delivered.eventId).length === 2);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);

    // Disabled: the end is kept in the outbox, sent once enabled again.
    expect((await adminCall(srv, admin, 'PUT', `/webhooks/${created.body.webhook.id}`, { enabled: false })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const before = receiver.received.length;
    // (a disabled webhook gets no new events at all)
    expect((await c.leave()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(before);
    // A receiver answering 500 keeps the event pending; a rotated secret signs the next requests.
    const rotated = await adminCall(srv, admin, 'PUT', `/webhooks/${created.body.webhook.id}`, { enabled: true, rotateSecret: true });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    receiver.secret = rotated.body.secret;
    receiver.status = 500;
    const d = new V3Customer(srv.url);
    await d.start();
    await receiver.until((r) => r.filter((x) => x.event.sessionId === d.sessionId).length >= 2);
    receiver.status = 204;
    await receiver.until((r) => r.length > 0 && r[r.length - 1]!.event.sessionId === d.sessionId && r.filter((x) => x.event.sessionId === d.sessionId).length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    const list = (await adminCall(srv, admin, 'GET', `/webhooks/${created.body.webhook.id}/deliveries?sessionId=${d.sessionId}`)).body.deliveries;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ state: 'delivered', lastStatus: 204 });
    expect(list[0].attempts).toBeGreaterThanOrEqual(3);
    expect(receiver.received.filter((x) => x.event.sessionId === d.sessionId).every((x) => x.signatureValid)).toBe(true);
    expect((await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: 'ftp://x', events: ['session.started'] })).status).toBe(400);
    expect((await adminCall(srv, admin, 'POST', '/webhooks', { deploymentId: 'nope', url: receiver.url, events: ['session.started'] })).status).toBe(404);
  });

  it('a webhook created, disabled or enabled on one node applies to the next write on another node (the lists kept per node are dropped)', async () => {
    const receiver = await receiverUp();
    const nodes = nodesOnOneData();
    cleanup.push(() => nodes.close());
    // A minute's lifetime: only the announcement can make the other node read the list again.
    const env = { ...FAST, AUTH_CACHE_MS: '60000' };
    const [a, b] = [await nodes.start(env), await nodes.start(env)];
    const c = new V3Customer(b.url);
    await c.start();
    // Node B has read the deployment's webhooks (none) for this write and keeps the list.
    expect((await c.send('Text', 'before')).status).toBe(200);
    const admin = await adminOf(a);
    const created = await adminCall(a, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: ['message.created'] });
    expect(created.status).toBe(201);
    receiver.secret = created.body.secret;
    // The announcement reaches B through Redis after A has answered: well within 200 ms.
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.send('Text', 'after-create')).status).toBe(200);
    await receiver.until((r) => texts(eventsOf(r, c.sessionId)).includes('after-create'));
    expect(texts(eventsOf(receiver.received, c.sessionId))).not.toContain('before');
    expect((await adminCall(a, admin, 'PUT', `/webhooks/${created.body.webhook.id}`, { enabled: false })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.send('Text', 'while-disabled')).status).toBe(200);
    expect((await adminCall(a, admin, 'PUT', `/webhooks/${created.body.webhook.id}`, { enabled: true })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.send('Text', 'enabled-again')).status).toBe(200);
    await receiver.until((r) => texts(eventsOf(r, c.sessionId)).includes('enabled-again'));
    expect(texts(eventsOf(receiver.received, c.sessionId))).not.toContain('while-disabled');
  });

  it('several nodes send one outbox: each event once, in order per session', async () => {
    const receiver = await receiverUp();
    const data = await testData();
    // PostgreSQL: three servers on one schema. SQLite is one process's store: three dispatchers
    // (each its own lease owner) on the one server's store.
    const nodes = testBackend === 'postgres' ? [await start(data), await start(data), await start(data)] : [await start(data)];
    if (testBackend !== 'postgres') {
      for (let i = 0; i < 2; i++) {
        const extra = new WebhookDispatcher(nodes[0]!.parley.store, systemClock, fetch, { ...defaultWebhookDispatch, pollMs: 20, retryBaseMs: 20, retryMaxMs: 150 }, () => undefined);
        extra.start();
        cleanup.push(() => extra.stop());
      }
    }
    const admin = await adminOf(nodes[0]!);
    const created = await adminCall(nodes[0]!, admin, 'POST', '/webhooks', { deploymentId: 'demo', url: receiver.url, events: ['session.started', 'message.created'] });
    receiver.secret = created.body.secret;
    const customers = [0, 1, 2, 3].map((i) => new V3Customer(nodes[i % nodes.length]!.url));
    for (const c of customers) await c.start();
    await Promise.all(
      customers.map(async (c, ci) => {
        for (let i = 0; i < 6; i++) expect((await c.send('Text', `m${i}`)).status).toBe(200);
        void ci;
      }),
    );
    await receiver.until((r) => customers.every((c) => texts(eventsOf(r, c.sessionId)).length === 6));
    await new Promise((r) => setTimeout(r, 200));
    const ids = receiver.received.map((r) => r.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of customers) expect(texts(eventsOf(receiver.received, c.sessionId))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
  });
});
