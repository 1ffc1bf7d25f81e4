import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, API_KEY, http, opId, startServer, V3Customer, type Running } from './helpers.js';

const SERVER_KEY = 'sk-test-server-key-123456';

describe('workflow API (seed 002): messages and notices from workflows', () => {
  let srv: Running;
  let c: V3Customer;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY });
    c = new V3Customer(srv.url);
    await c.start();
  });
  afterAll(() => srv.close());
  const wf = (method: string, path: string, body?: Record<string, unknown>, key = SERVER_KEY, form = false) =>
    http(`${srv.url}/workflow/v1${path}`, { method, headers: { 'x-api-key': key }, ...(body ? (form ? { form: body } : { json: body }) : {}) });

  it('authenticates with a server key only', async () => {
    expect((await wf('GET', `/sessions/${c.sessionId}`, undefined, '')).status).toBe(401);
    const pub = await wf('GET', `/sessions/${c.sessionId}`, undefined, API_KEY);
    expect(pub.status).toBe(401);
    expect(pub.body.status.message).toMatch(/public page keys are not accepted/);
  });

  it('exposes IsOnline and the serving application name with the attached data', async () => {
    const r = await wf('GET', `/sessions/${c.sessionId}`);
    expect(r.status).toBe(200);
    expect(r.body.userData).toMatchObject({ IsOnline: '1', ChatServerAppName: 'parley', customerId: '59606' });
  });

  it('puts a Message with every parameter, and visibility decides who sees it', async () => {
    const all = await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'An agent will be with you shortly.', MessageType: 'Waiting', Nickname: 'Router' }, SERVER_KEY, true);
    expect(all.status).toBe(200);
    expect(all.body.message).toMatchObject({ type: 'Text', visibility: 'All', text: 'An agent will be with you shortly.', from: { type: 'External', nickname: 'Router' } });
    expect((await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'VIP customer', Visibility: 'INT' })).body.message.visibility).toBe('Int');
    expect((await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'supervisors only', Visibility: 'vip' })).body.message.visibility).toBe('Vip');
    await c.pollUntil((seen) => seen.some((m) => m.text === 'An agent will be with you shortly.'));
    await c.poll('&wait=0');
    const history = await c.poll('&count=100');
    for (const list of [c.seen, history.body.data.messages]) {
      expect(list.some((m: any) => m.text === 'VIP customer' || m.text === 'supervisors only')).toBe(false);
    }
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    const agentView = (await agent.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages;
    expect(agentView.some((m: any) => m.text === 'VIP customer')).toBe(true);
    expect(agentView.some((m: any) => m.text === 'supervisors only')).toBe(false);
    const sup = await new Agent(srv.url, { username: 'supervisor', password: 'agent-pass-1' }).login();
    expect((await sup.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages.some((m: any) => m.text === 'supervisors only')).toBe(true);
  });

  it('refuses a Message without MessageText or with a bad Visibility', async () => {
    const none = await wf('POST', `/sessions/${c.sessionId}/message`, { Nickname: 'x' });
    expect(none.status).toBe(400);
    expect(none.body.status.message).toMatch(/MessageText is required/);
    const bad = await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'x', Visibility: 'PUBLIC' });
    expect(bad.body.status.message).toMatch(/Visibility must be ALL, INT or VIP/);
  });

  it('puts Notices: USER_PUSHED_URL needs a valid URL, USER_CUSTOM takes any text', async () => {
    const url = await wf('POST', `/sessions/${c.sessionId}/notice`, { NoticeType: 'USER_PUSHED_URL', NoticeText: 'https://example.com/faq' });
    expect(url.body.message).toMatchObject({ type: 'PushUrl', url: 'https://example.com/faq' });
    const badUrl = await wf('POST', `/sessions/${c.sessionId}/notice`, { NoticeType: 'USER_PUSHED_URL', NoticeText: 'not a url' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.status.message).toMatch(/USER_PUSHED_URL needs a valid http\(s\) URL/);
    expect((await wf('POST', `/sessions/${c.sessionId}/notice`, { NoticeType: 'USER_PUSHED_URL', NoticeText: 'javascript:alert(1)' })).status).toBe(400);
    const custom = await wf('POST', `/sessions/${c.sessionId}/notice`, { NoticeType: 'USER_CUSTOM', NoticeText: '{"any":"thing"}' });
    expect(custom.body.message).toMatchObject({ type: 'Notice', text: '{"any":"thing"}' });
    expect((await wf('POST', `/sessions/${c.sessionId}/notice`, { NoticeType: 'OTHER' })).body.status.message).toMatch(/NoticeType must be USER_PUSHED_URL or USER_CUSTOM/);
    await c.pollUntil((seen) => seen.some((m) => m.type === 'PushUrl' && m.url === 'https://example.com/faq'));
  });

  it("refuses another deployment's session and a session that is offline", async () => {
    expect((await wf('GET', '/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const gone = new V3Customer(srv.url);
    await gone.start();
    await gone.leave();
    expect((await wf('GET', `/sessions/${gone.sessionId}`)).body.userData.IsOnline).toBe('0');
    const r = await wf('POST', `/sessions/${gone.sessionId}/message`, { MessageText: 'hello?' });
    expect(r.status).toBe(404);
    expect(r.body.status).toEqual({ code: 'INVALID_SESSION', message: 'the chat is offline (IsOnline is 0): nothing can be sent into it' });
    expect((await wf('POST', `/sessions/${gone.sessionId}/notice`, { NoticeType: 'USER_CUSTOM', NoticeText: 'x' })).status).toBe(404);
  });

  it('lists, gets and closes tickets with comments; the agent is told', async () => {
    const t = new V3Customer(srv.url);
    await t.start();
    const agent = await new Agent(srv.url).login();
    const interaction = await agent.acceptFor(t.sessionId);
    const open = await wf('GET', `/tickets?sessionId=${t.sessionId}`);
    expect(open.body.tickets.map((x: any) => x.id)).toEqual([interaction.id]);
    expect((await wf('GET', `/tickets/${interaction.id}`)).body.ticket.state).toBe('Handling');
    const closed = await wf('POST', `/tickets/${interaction.id}/close`, { comments: 'resolved by the back office' });
    expect(closed.body.ticket).toMatchObject({ state: 'Completed', wrapUpCode: 'closed-by-api' });
    expect((await wf('POST', `/tickets/${interaction.id}/close`, {})).status).toBe(409);
    const agentView = (await agent.call('GET', `/sessions/${t.sessionId}/messages`)).body.messages;
    expect(agentView.some((m: any) => m.visibility === 'Int' && m.text === 'Ticket closed: resolved by the back office')).toBe(true);
    await t.pollUntil((seen) => seen.some((m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent'));
    expect(t.seen.some((m) => /Ticket closed/.test(m.text ?? ''))).toBe(false);
    expect((await wf('GET', `/tickets?state=closed&sessionId=${t.sessionId}`)).body.tickets).toHaveLength(1);
  });

  it('sends UI events to the widget', async () => {
    const ev = await wf('POST', `/sessions/${c.sessionId}/ui-events`, { name: 'ui-event-update-promotion', data: { title: 'Exit?', options: [{ title: 'Exit', text: 'talk to bot' }] } });
    expect(ev.status).toBe(200);
    await c.pollUntil((seen) => seen.some((m) => m.event === 'ui-event-update-promotion' && m.data.title === 'Exit?'));
    expect((await wf('POST', `/sessions/${c.sessionId}/ui-events`, { name: 'ui-event-bogus' })).status).toBe(400);
  });
  it('documents every workflow and admin route (the plugins under their prefixes) in /openapi.json', async () => {
    const paths = (await http(`${srv.url}/openapi.json`)).body.paths;
    const routes = srv.parley.routes.filter((r) => r.method !== 'HEAD' && /^\/(workflow|admin)\/v1\//.test(r.url));
    expect(routes.filter((r) => r.url.startsWith('/workflow/v1/'))).toHaveLength(8);
    expect(routes.filter((r) => r.url.startsWith('/admin/v1/'))).toHaveLength(29);
    for (const r of routes) expect(paths[r.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
  });

  describe('a retried write (same operationId or Idempotency-Key) is stored once', () => {
    /** The whole log, as stored. */
    const logOf = (sessionId: string) => srv.parley.store.tx((tx) => tx.listMessages(sessionId, { visibilities: ['All', 'Int', 'Vip'], limit: 1000 }));

    it('a Message with the same operationId (JSON body, then a form body) is one message, answered the same', async () => {
      const t = new V3Customer(srv.url);
      await t.start();
      const operationId = opId();
      const first = await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'retried once', operationId });
      const again = await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'retried once', operationId }, SERVER_KEY, true);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body.message).toEqual(first.body.message);
      expect((await logOf(t.sessionId)).filter((m) => m.text === 'retried once')).toHaveLength(1);
      // A new operationId is a new message.
      await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'retried once', operationId: opId() });
      expect((await logOf(t.sessionId)).filter((m) => m.text === 'retried once')).toHaveLength(2);
    });

    it('retries sent at the same time are stored once', async () => {
      const t = new V3Customer(srv.url);
      await t.start();
      const operationId = opId();
      const answers = await Promise.all([1, 2, 3, 4].map(() => wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'all at once', operationId })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.message.index)).size).toBe(1);
      expect((await logOf(t.sessionId)).filter((m) => m.text === 'all at once')).toHaveLength(1);
    });

    it('a Notice and a UI event with the same Idempotency-Key are stored once each', async () => {
      const t = new V3Customer(srv.url);
      await t.start();
      const once = (path: string, body: Record<string, unknown>, key: string) =>
        http(`${srv.url}/workflow/v1/sessions/${t.sessionId}/${path}`, { method: 'POST', headers: { 'x-api-key': SERVER_KEY, 'Idempotency-Key': key }, json: body });
      const noticeKey = opId();
      const eventKey = opId();
      for (let i = 0; i < 3; i++) {
        expect((await once('notice', { NoticeType: 'USER_CUSTOM', NoticeText: 'notice once' }, noticeKey)).status).toBe(200);
        expect((await once('ui-events', { name: 'ui-event-close-promotion' }, eventKey)).status).toBe(200);
      }
      const log = await logOf(t.sessionId);
      expect(log.filter((m) => m.text === 'notice once')).toHaveLength(1);
      expect(log.filter((m) => m.event === 'ui-event-close-promotion')).toHaveLength(1);
    });

    it('a retry after the chat ended gets the first answer; a new write is refused', async () => {
      const t = new V3Customer(srv.url);
      await t.start();
      const operationId = opId();
      const first = await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'before the end', operationId });
      await t.leave();
      const again = await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'before the end', operationId });
      expect(again.status).toBe(200);
      expect(again.body.message.index).toBe(first.body.message.index);
      expect((await wf('POST', `/sessions/${t.sessionId}/message`, { MessageText: 'after the end', operationId: opId() })).status).toBe(404);
    });

    it('refuses an operationId and an Idempotency-Key that differ, and an over-long key', async () => {
      const r = await http(`${srv.url}/workflow/v1/sessions/${c.sessionId}/message`, {
        method: 'POST',
        headers: { 'x-api-key': SERVER_KEY, 'Idempotency-Key': 'a' },
        json: { MessageText: 'x', operationId: 'b' },
      });
      expect(r.status).toBe(400);
      expect(r.body.status.message).toMatch(/operationId and the Idempotency-Key header differ/);
      const long = await http(`${srv.url}/workflow/v1/sessions/${c.sessionId}/message`, {
        method: 'POST',
        headers: { 'x-api-key': SERVER_KEY, 'Idempotency-Key': 'k'.repeat(129) },
        json: { MessageText: 'x' },
      });
      expect(long.status).toBe(400);
      expect((await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'x', operationId: 'o'.repeat(129) })).status).toBe(400);
    });

    it('a session of another deployment is not found, whatever the operationId', async () => {
      const operationId = opId();
      expect((await wf('POST', `/sessions/${c.sessionId}/message`, { MessageText: 'mine', operationId })).status).toBe(200);
      expect((await wf('POST', '/sessions/00000000-0000-4000-8000-000000000000/message', { MessageText: 'mine', operationId })).status).toBe(404);
    });
  });
});
