/**
 * Issue 18, the end of a chat and offline hours, through the real server (SQLite here, PostgreSQL in
 * integration-pg) and a real SMTP server: the survey, the transcript (download and e-mail) and
 * "leave a message" outside business hours, with hostile text kept inert.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent, createStaff, http, startServer, V3, V3Customer, type Running } from './helpers.js';
import { startSmtpServer } from './smtp-test-server.js';

const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script> & "quotes"';
const states = (seen: any[]) => seen.filter((m) => m.type === 'System').map((m) => m.data.interactionState);

async function handledChat(srv: Running, agent: Agent): Promise<V3Customer> {
  const c = new V3Customer(srv.url);
  await c.start({ firstName: 'Jonny', nickname: HOSTILE });
  await agent.acceptFor(c.sessionId);
  await c.send('Text', `hello ${HOSTILE}`);
  await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'Agent says <b>hi</b>' });
  await c.pollUntil((seen) => seen.some((m) => m.text === 'Agent says <b>hi</b>'));
  return c;
}

describe('the end of a chat: survey and transcript', () => {
  let srv: Running;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let agent: Agent;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    smtp.mails.length = 0;
    srv = await startServer({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'Shop <chat@shop.example>', TRANSCRIPT_EMAIL_LIMIT_PER_MINUTE: '10' });
    agent = await new Agent(srv.url).login();
  });
  afterEach(() => srv.close());

  const survey = (c: V3Customer, data: Record<string, unknown>) => http(`${srv.url}${V3}/${c.sessionId}/survey`, { method: 'POST', headers: c.headers(), form: { data } });

  it('takes one survey per session once the chat is over; the agent and supervisors see it; reports count and average it', async () => {
    const c = await handledChat(srv, agent);
    expect((await survey(c, { rating: 5, comment: 'too early' })).status).toBe(409);
    await c.leave();
    expect((await survey(c, { rating: 6 })).status).toBe(400);
    expect((await survey(c, { rating: 3, comment: 'x'.repeat(1001) })).status).toBe(400);
    const ok = await survey(c, { rating: 4, comment: HOSTILE });
    expect(ok.status).toBe(200);
    expect(ok.body.data.survey).toEqual({ rating: 4, comment: HOSTILE });
    const again = await survey(c, { rating: 1, comment: 'changed my mind' });
    expect(again.status).toBe(409);
    expect(again.body.status.code).toBe('CONFLICT');

    const seen = await agent.call('GET', `/sessions/${c.sessionId}/survey`);
    expect(seen.status).toBe(200);
    expect(seen.body.survey).toMatchObject({ sessionId: c.sessionId, queue: 'Support', rating: 4, comment: HOSTILE });
    const { staff, admin } = await createStaff(srv.url, [{ username: 'other' }, { username: 'boss', role: 'supervisor' }]);
    expect((await staff[0]!.call('GET', `/sessions/${c.sessionId}/survey`)).status).toBe(403);
    expect((await staff[1]!.call('GET', `/sessions/${c.sessionId}/survey`)).body.survey.rating).toBe(4);

    // A second chat, rated 2: per agent 3.0 over two, per queue the same; outside the range nothing.
    const c2 = await handledChat(srv, agent);
    await c2.leave();
    expect((await survey(c2, { rating: 2 })).status).toBe(200);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const byAgent = await staff[1]!.call('GET', `/supervisor/reports/surveys?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=agent`);
    expect(byAgent.status).toBe(200);
    const me = (await agent.call('GET', '/me')).body.account;
    expect(byAgent.body.report.rows).toEqual([{ key: me.id, label: me.displayName, count: 2, average: 3 }]);
    expect(byAgent.body.report.total).toEqual({ count: 2, average: 3 });
    const byQueue = await admin.call('GET', `/supervisor/reports/surveys?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(byQueue.body.report.rows).toEqual([{ key: 'Support', label: 'Support', count: 2, average: 3 }]);
    const past = await admin.call('GET', `/supervisor/reports/surveys?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`);
    expect(past.body.report).toMatchObject({ rows: [], total: { count: 0, average: null } });
    expect((await agent.call('GET', `/supervisor/reports/surveys?from=${from}&to=${to}`)).status).toBe(403);
    expect((await admin.call('GET', `/supervisor/reports/surveys?from=${to}&to=${from}`)).status).toBe(400);
  });

  it('another session’s key cannot rate this one; a chat the customer cannot read any more cannot be rated', async () => {
    const c = await handledChat(srv, agent);
    const other = new V3Customer(srv.url);
    await other.start();
    await c.leave();
    const stolen = await http(`${srv.url}${V3}/${c.sessionId}/survey`, { method: 'POST', headers: other.headers(), form: { data: { rating: 1 } } });
    expect(stolen.status).toBe(403);
  });

  it('hands the customer a transcript of what they saw, as text and as HTML with hostile text escaped', async () => {
    const c = await handledChat(srv, agent);
    await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'internal note', visibility: 'Int' });
    await c.leave();
    const text = await http(`${srv.url}${V3}/${c.sessionId}/transcript`, { headers: c.headers() });
    expect(text.status).toBe(200);
    expect(text.body.data).toMatchObject({ fileName: 'chat-transcript.txt', contentType: 'text/plain; charset=utf-8' });
    expect(text.body.data.content).toContain(`${HOSTILE}: hello ${HOSTILE}`);
    expect(text.body.data.content).toContain('Agent says <b>hi</b>');
    expect(text.body.data.content).not.toContain('internal note');
    const html = await http(`${srv.url}${V3}/${c.sessionId}/transcript?format=html`, { headers: c.headers() });
    const page: string = html.body.data.content;
    expect(html.body.data.fileName).toBe('chat-transcript.html');
    expect(page).toContain('hello &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(page).not.toMatch(/<img|<script|<b>/);
    expect(page).toContain(`default-src 'none'`);
    expect((await http(`${srv.url}${V3}/${c.sessionId}/transcript?format=pdf`, { headers: c.headers() })).status).toBe(400);
  });

  it('e-mails the transcript through SMTP to a valid address, refuses others, and limits how often', async () => {
    const c = await handledChat(srv, agent);
    const email = (address: string) => http(`${srv.url}${V3}/${c.sessionId}/transcript/email`, { method: 'POST', headers: c.headers(), form: { data: { email: address } } });
    for (const bad of ['not-an-address', 'a@b', 'a@b.co, c@d.co', 'a@b.co\r\nBcc: x@y.co', '<a@b.co>']) expect((await email(bad)).status, bad).toBe(400);
    const sent = await email('jonny@example.com');
    expect(sent.status).toBe(200);
    expect(sent.body.data).toEqual({ sent: true });
    const [mail] = await smtp.waitForMail(1);
    expect(mail!.to).toEqual(['jonny@example.com']);
    expect(mail!.from).toBe('chat@shop.example');
    expect(mail!.raw).toMatch(/Subject: Your chat transcript/);
    const decoded = mail!.raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(decoded).toContain('Agent says');
    // The HTML part holds chat text escaped only (the text part and the .txt attachment are plain text).
    const htmlPart = decoded.slice(decoded.indexOf('Content-Type: text/html'));
    expect(htmlPart).toContain('hello &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;');
    expect(htmlPart.slice(0, htmlPart.indexOf('</html>'))).not.toMatch(/<script|<img|<b>/);
    await email('jonny@example.com');
    await email('jonny@example.com');
    // Three e-mails per chat...
    const limited = await email('jonny@example.com');
    expect(limited.status).toBe(429);
    await smtp.waitForMail(3);
    expect(smtp.mails).toHaveLength(3);
    // ...and TRANSCRIPT_EMAIL_LIMIT_PER_MINUTE (10) requests per address, whatever the chat.
    const c2 = await handledChat(srv, agent);
    const other = (address: string) => http(`${srv.url}${V3}/${c2.sessionId}/transcript/email`, { method: 'POST', headers: c2.headers(), form: { data: { email: address } } });
    expect((await other('ann@example.com')).status).toBe(200);
    expect((await other('ann@example.com')).status).toBe(429);
    await smtp.waitForMail(4);
  });

  it('says whether transcripts can be e-mailed', async () => {
    const a = await http(`${srv.url}${V3}/availability`, { headers: { 'x-api-key': new V3Customer(srv.url).apiKey } });
    expect(a.body.data).toMatchObject({ open: true, reason: null, queue: 'Support', transcriptEmail: true });
  });
});

describe('without SMTP', () => {
  let srv: Running;
  beforeEach(async () => {
    srv = await startServer();
  });
  afterEach(() => srv.close());

  it('the transcript downloads but is not e-mailed', async () => {
    const agent = await new Agent(srv.url).login();
    const c = await handledChat(srv, agent);
    expect((await http(`${srv.url}${V3}/availability`, { headers: c.headers() })).body.data.transcriptEmail).toBe(false);
    const r = await http(`${srv.url}${V3}/${c.sessionId}/transcript/email`, { method: 'POST', headers: c.headers(), form: { data: { email: 'jonny@example.com' } } });
    expect(r.status).toBe(404);
    expect((await http(`${srv.url}${V3}/${c.sessionId}/transcript`, { headers: c.headers() })).status).toBe(200);
  });
});

describe('business hours and leave a message', () => {
  let srv: Running;
  let admin: Agent;
  beforeEach(async () => {
    srv = await startServer();
    admin = await new Agent(srv.url, { username: 'admin', password: 'agent-pass-1' }).login();
  });
  afterEach(() => srv.close());

  const hours = (body: unknown) => http(`${srv.url}/admin/v1/deployments/demo/business-hours`, { method: 'PUT', headers: { authorization: `Bearer ${admin.token}` }, json: body });
  const availability = async (queue?: string) => (await http(`${srv.url}${V3}/availability${queue ? `?queue=${queue}` : ''}`, { headers: { 'x-api-key': 'test-key-1234' } })).body.data;
  const allDay = {
    mon: [{ open: '00:00', close: '24:00' }],
    tue: [{ open: '00:00', close: '24:00' }],
    wed: [{ open: '00:00', close: '24:00' }],
    thu: [{ open: '00:00', close: '24:00' }],
    fri: [{ open: '00:00', close: '24:00' }],
    sat: [{ open: '00:00', close: '24:00' }],
    sun: [{ open: '00:00', close: '24:00' }],
  };

  it('a deployment without hours is open; with hours it is closed outside them and on holidays, and offline with no agent able', async () => {
    expect(await availability()).toMatchObject({ open: true, reason: null });
    expect((await hours({ timeZone: 'Europe/Paris', weekly: {} })).status).toBe(200);
    expect(await availability()).toMatchObject({ open: false, reason: 'closed' });
    expect((await hours({ timeZone: 'Pacific/Kiritimati', weekly: allDay })).status).toBe(200);
    expect(await availability()).toMatchObject({ open: false, reason: 'noAgents', agentsAvailable: 0 });
    const agent = await new Agent(srv.url).login();
    await agent.call('PUT', '/me/presence', { presence: 'Ready' });
    expect(await availability()).toMatchObject({ open: true, reason: null, agentsAvailable: 1 });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date());
    await hours({ timeZone: 'Pacific/Kiritimati', weekly: allDay, holidays: [today] });
    expect(await availability()).toMatchObject({ open: false, reason: 'closed' });
    // A queue's own hours win over the deployment's.
    await http(`${srv.url}/admin/v1/queues`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, json: { deploymentId: 'demo', name: 'Sales' } });
    expect((await hours({ queue: 'Sales', timeZone: 'UTC', weekly: allDay })).status).toBe(200);
    expect(await availability('sales')).toMatchObject({ queue: 'Sales', open: true });
    const listed = await http(`${srv.url}/admin/v1/deployments/demo/business-hours`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(listed.body.businessHours.map((h: any) => h.queue)).toEqual(['', 'Sales']);
    const del = await http(`${srv.url}/admin/v1/deployments/demo/business-hours`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } });
    expect(del.status).toBe(200);
    expect(await availability()).toMatchObject({ open: true });
  });

  it('/openapi.json documents the routes around a chat', async () => {
    const doc = (await http(`${srv.url}/openapi.json`)).body;
    for (const [path, method] of [
      [`${V3}/availability`, 'get'],
      [`${V3}/offline-messages`, 'post'],
      [`${V3}/{sessionId}/survey`, 'post'],
      [`${V3}/{sessionId}/transcript`, 'get'],
      [`${V3}/{sessionId}/transcript/email`, 'post'],
      ['/agent/v1/sessions/{id}/survey', 'get'],
      ['/agent/v1/supervisor/reports/surveys', 'get'],
      ['/admin/v1/deployments/{id}/business-hours', 'put'],
      ['/admin/v1/deployments/{id}/business-hours', 'delete'],
    ] as const)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it('refuses bad hours: unknown zone, malformed times, a close before the open, an unknown queue; admins only', async () => {
    expect((await hours({ timeZone: 'Mars/Olympus', weekly: {} })).status).toBe(400);
    expect((await hours({ timeZone: 'UTC', weekly: { mon: [{ open: '9:00', close: '17:00' }] } })).status).toBe(400);
    expect((await hours({ timeZone: 'UTC', weekly: { mon: [{ open: '17:00', close: '09:00' }] } })).status).toBe(400);
    expect((await hours({ timeZone: 'UTC', weekly: { funday: [] } })).status).toBe(400);
    expect((await hours({ queue: 'Nope', timeZone: 'UTC', weekly: {} })).status).toBe(404);
    const agent = await new Agent(srv.url).login();
    const r = await http(`${srv.url}/admin/v1/deployments/demo/business-hours`, { method: 'PUT', headers: { authorization: `Bearer ${agent.token}` }, json: { timeZone: 'UTC', weekly: {} } });
    expect(r.status).toBe(403);
  });

  it('a message left outside hours becomes an async conversation queued for agents, who see it later', async () => {
    await hours({ timeZone: 'UTC', weekly: {} });
    const leave = (data: Record<string, unknown>, operationId = `op-${Math.random()}`) =>
      http(`${srv.url}${V3}/offline-messages`, { method: 'POST', headers: { 'x-api-key': 'test-key-1234' }, form: { data, operationId } });
    expect((await leave({ name: 'Ann', email: 'nope', text: 'hi' })).status).toBe(400);
    expect((await leave({ name: 'Ann', email: 'ann@example.com', text: '' })).status).toBe(400);
    expect((await leave({ name: '', email: 'ann@example.com', text: 'hi' })).status).toBe(400);
    const op = 'op-left-1';
    const left = await leave({ name: HOSTILE, email: 'ann@example.com', subject: 'Order 42', text: `Please call me back ${HOSTILE}` }, op);
    expect(left.status).toBe(200);
    expect(left.body.data).toMatchObject({ async: true });
    const again = await leave({ name: HOSTILE, email: 'ann@example.com', subject: 'Order 42', text: `Please call me back ${HOSTILE}` }, op);
    expect(again.body.data.sessionId).toBe(left.body.data.sessionId);
    const sessionId = left.body.data.sessionId;

    const agent = await new Agent(srv.url).login();
    const queued = await agent.queued(sessionId);
    expect(queued).toMatchObject({ state: 'Queued', queue: 'Support', customer: { nickname: HOSTILE } });
    const details = await agent.call('GET', `/sessions/${sessionId}`);
    expect(details.body.session).toMatchObject({ async: true, userData: { EmailAddress: 'ann@example.com', Subject: 'Order 42', ChatSource: 'LeaveMessage' } });
    await agent.acceptFor(sessionId);
    const log = await agent.call('GET', `/sessions/${sessionId}/messages`);
    expect(log.body.messages.filter((m: any) => m.type === 'Text').map((m: any) => m.text)).toEqual([`Please call me back ${HOSTILE}`]);

    // The customer's token reads the conversation like any async chat.
    const c = new V3Customer(srv.url);
    c.token = left.body.data.clientToken;
    c.sessionId = sessionId;
    c.participantId = left.body.data.participantId;
    await agent.call('POST', `/sessions/${sessionId}/messages`, { type: 'Text', text: 'We are back: how can I help?' });
    await c.pollUntil((seen) => seen.some((m) => m.text === 'We are back: how can I help?'));
    expect(states(c.seen)).toContain('Handling');
  });
});
