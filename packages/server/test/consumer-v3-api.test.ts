import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, http, opId, startServer, V3, V3Customer, type Running } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082', 'hex');

describe('consumer v3 API', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ MAX_UPLOAD_BYTES: '2048', MAX_MESSAGE_LENGTH: '50' });
  });
  afterAll(() => srv.close());

  it('long poll holds until a message arrives, and answers at once when something is pending', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.poll();
    const agent = await new Agent(srv.url).login();
    const started = Date.now();
    const pending = c.poll();
    setTimeout(() => void agent.acceptFor(c.sessionId), 300);
    const r = await pending;
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(r.body.data.messages.length).toBeGreaterThan(0);
    const immediate = Date.now();
    await c.send('Text', 'x');
    const r2 = await c.poll();
    expect(Date.now() - immediate).toBeLessThan(1000);
    expect(r2.body.data.messages.map((m: any) => m.text)).toEqual(['x']);
  });

  it('an empty long poll ends inside the configured hold with an empty list', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.poll();
    const t = Date.now();
    const r = await c.poll();
    expect(Date.now() - t).toBeGreaterThanOrEqual(1400);
    expect(r.body).toMatchObject({ status: { code: 'SUCCESS' }, data: { messages: [], chatEnded: false } });
    expect(r.body.data.lastDeliveredIndex).toMatch(/^\d+-\d$/);
    expect(r.body.operationId).toMatch(/^op-/);
    expect(typeof r.body.referenceId).toBe('string');
  });

  it('history pages with count and index, in log order', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    for (let i = 0; i < 6; i++) await c.send('Text', `h${i}`);
    const newest = await c.poll('&count=3');
    expect(newest.body.data.messages.map((m: any) => m.text)).toEqual(['h3', 'h4', 'h5']);
    const older = await c.poll(`&count=3&index=${newest.body.data.messages[0].index}`);
    expect(older.body.data.messages.map((m: any) => m.text)).toEqual(['h0', 'h1', 'h2']);
    // After history handed over the newest page, a poll brings nothing twice.
    const next = await c.poll('&wait=0');
    expect(next.body.data.messages).toEqual([]);
    expect((await c.poll('&count=0')).status).toBe(400);
    expect((await c.poll('&count=3&index=bogus')).body.status.message).toMatch(/index must look like/);
  });

  it('sends typing notifications that the agent sees', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    expect((await c.send('TypingStarted', 'typ')).status).toBe(200);
    expect((await c.send('TypingStopped')).status).toBe(200);
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    const view = await agent.call('GET', `/sessions/${c.sessionId}/messages`);
    expect(view.body.messages.map((m: any) => m.type)).toEqual(expect.arrayContaining(['TypingStarted', 'TypingStopped']));
  });

  it('rejects malformed or oversized messages with a message that says what is wrong', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const noText = await c.send('Text');
    expect(noText.status).toBe(400);
    expect(noText.body.status.message).toBe('data[text] is required for a Text message');
    const tooLong = await c.send('Text', 'y'.repeat(51));
    expect(tooLong.status).toBe(413);
    expect(tooLong.body.status.message).toBe('message text is 51 characters; the limit is 50');
    const noData = await http(`${srv.url}${V3}/${c.sessionId}/messages`, { method: 'POST', headers: c.headers(), form: { operationId: 'x' } });
    expect(noData.status).toBe(400);
    expect(noData.body.status.message).toMatch(/^invalid message: data/);
    const brokenJson = await http(`${srv.url}${V3}/${c.sessionId}/messages`, { method: 'POST', headers: { ...c.headers(), 'content-type': 'application/json' }, body: '{"data":' });
    expect(brokenJson.status).toBe(400);
  });

  it('accepts JSON bodies as well as form bodies', async () => {
    const c = new V3Customer(srv.url);
    const r = await http(`${srv.url}${V3}`, { method: 'POST', headers: c.headers(), json: { operationId: 'j1', data: { firstName: 'Jay', userData: { plan: 'gold', seats: 3 } } } });
    expect(r.status).toBe(200);
    c.token = r.body.data.clientToken;
    c.sessionId = r.body.data.sessionId;
    const sent = await http(`${srv.url}${V3}/${c.sessionId}/messages`, { method: 'POST', headers: c.headers(), json: { data: { type: 'Text', text: 'json hi' } } });
    expect(sent.status).toBe(200);
    expect(sent.body.data.message.text).toBe('json hi');
  });

  it('merges user data with PUT userdata, and the agent sees it', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Ud', userData: { customerId: '59606' } });
    const put = await http(`${srv.url}${V3}/${c.sessionId}/userdata`, { method: 'PUT', headers: c.headers(), form: { data: { foo: 'bar' }, operationId: opId() } });
    expect(put.status).toBe(200);
    expect(put.body.data.userData).toMatchObject({ customerId: '59606', foo: 'bar', FirstName: 'Ud' });
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    const s = await agent.call('GET', `/sessions/${c.sessionId}`);
    expect(s.body.session.userData).toMatchObject({ customerId: '59606', foo: 'bar' });
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    const tooMany = await http(`${srv.url}${V3}/${c.sessionId}/userdata`, { method: 'PUT', headers: c.headers(), json: { data: many } });
    expect(tooMany.status).toBe(413);
  });

  it('never shows Int messages to the customer; agents cannot send Vip', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'internal note', visibility: 'Int' });
    await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'public' });
    const vip = await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'vip', visibility: 'Vip' });
    expect(vip.status).toBe(403);
    await c.pollUntil((seen) => seen.some((m) => m.text === 'public'));
    const history = await c.poll('&count=100');
    for (const list of [c.seen, history.body.data.messages]) expect(list.some((m: any) => m.text === 'internal note' || m.visibility !== 'All')).toBe(false);
    const agentView = await agent.call('GET', `/sessions/${c.sessionId}/messages`);
    expect(agentView.body.messages.some((m: any) => m.text === 'internal note' && m.visibility === 'Int')).toBe(true);
  });

  it('uploads an image, serves it through the signed URL, and refuses bad files', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const upload = (bytes: Buffer, type: string, name: string) => {
      const form = new FormData();
      form.set('operationId', opId());
      form.set('file', new Blob([bytes], { type }), name);
      return http(`${srv.url}${V3}/${c.sessionId}/images`, { method: 'POST', headers: c.headers(), body: form });
    };
    const ok = await upload(PNG, 'image/png', 'dot.png');
    expect(ok.status).toBe(200);
    const content = ok.body.data.message.content[0];
    expect(content).toMatchObject({ type: 'image', mime: 'image/png', name: 'dot.png', size: PNG.length });
    expect(content.url).toMatch(new RegExp(`^/sessions/${c.sessionId}/images/[0-9a-f-]{36}\\?sig=`));
    const file = await fetch(`${srv.url}${V3.replace(/\/sessions$/, '')}${content.url}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    const unsigned = await fetch(`${srv.url}${V3.replace(/\/sessions$/, '')}${content.url.replace(/sig=.*/, 'sig=abc')}`);
    expect(unsigned.status).toBe(403);

    const html = await upload(Buffer.from('<script>alert(1)</script>'), 'text/html', 'x.html');
    expect(html.status).toBe(415);
    const spoofed = await upload(Buffer.from('<script>alert(1)</script>'), 'image/png', 'x.png');
    expect(spoofed.status).toBe(415);
    expect(spoofed.body.status.message).toBe("the file's content is not image/png");
    const big = await upload(Buffer.concat([PNG, Buffer.alloc(4096)]), 'image/png', 'big.png');
    expect(big.status).toBe(413);
  });

  it('async restore: re-POST with the client key returns the live session', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'R', async: 'true' });
    const again = await http(`${srv.url}${V3}`, { method: 'POST', headers: c.headers(), form: { data: { firstName: 'R' }, operationId: opId() } });
    expect(again.status).toBe(200);
    expect(again.body.data.sessionId).toBe(c.sessionId);
    // A renewed token for the same session and participant.
    const claims = JSON.parse(Buffer.from(again.body.data.clientToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sessionId: c.sessionId, participantId: c.participantId });
  });

  it('the same start operationId starts one session', async () => {
    const c = new V3Customer(srv.url);
    const body = { data: { firstName: 'Once' }, operationId: 'start-once' };
    const r1 = await http(`${srv.url}${V3}`, { method: 'POST', headers: c.headers(), form: body });
    const r2 = await http(`${srv.url}${V3}`, { method: 'POST', headers: c.headers(), form: body });
    expect(r2.body.data.sessionId).toBe(r1.body.data.sessionId);
  });
});
