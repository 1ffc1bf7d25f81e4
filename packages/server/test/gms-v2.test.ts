import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFormBody } from '@parley/protocol';
import { Agent, API_KEY, createStaff, http, SteppedClock, startServer, type Running } from './helpers.js';
import { GMS, GmsCustomer, gmsStartForm } from './compat-helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082', 'hex');

/** Every field of a response the reference client reads. */
function expectEnvelope(body: any, c: GmsCustomer) {
  expect(body).toMatchObject({ statusCode: 0, alias: c.alias, userId: c.userId, secureKey: c.secureKey, chatId: c.chatId });
  expect(typeof body.chatEnded).toBe('boolean');
  expect(typeof body.nextPosition).toBe('number');
  expect(Array.isArray(body.messages)).toBe(true);
}

/** Indexes are 1..n without gaps or repeats, participant ids numbers, times epoch ms. */
function expectWellFormed(seen: any[]) {
  expect(seen.map((m) => m.index)).toEqual(seen.map((_, i) => i + 1));
  for (const m of seen) {
    expect(typeof m.from.participantId).toBe('number');
    expect(['Client', 'Agent', 'Supervisor', 'External']).toContain(m.from.type);
    expect(typeof m.from.nickname).toBe('string');
    expect(typeof m.utcTime).toBe('number');
    expect(m.utcTime).toBeGreaterThan(1_600_000_000_000);
  }
}

function multipart(fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return form;
}

describe('GMS chat API v2', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => {
    srv = await startServer({ MAX_UPLOAD_BYTES: '2048' });
    admin = (await createStaff(srv.url, [])).admin;
  });
  afterAll(() => srv.close());

  it('replays the reference sequence: request chat with a trailing slash, refresh, send, typing, updateData, disconnect', async () => {
    const c = new GmsCustomer(srv.url);
    const start = await c.start(gmsStartForm(), true);
    expectEnvelope(start.body, c);
    expect(start.body.chatEnded).toBe(false);
    expect(c.alias).not.toBe('');
    expect(c.userId).not.toBe('');
    expect(c.secureKey.length).toBeGreaterThan(20);
    expect(start.body.messages[0]).toMatchObject({ index: 1, type: 'ParticipantJoined', from: { nickname: 'Jonny Smith', participantId: 1, type: 'Client' } });
    expect(start.body.nextPosition).toBe(2);

    // The reference client's first refresh asks from 1: the transcript from the start.
    const r1 = await c.call('refresh', { transcriptPosition: 1, message: '' });
    expect(r1.status).toBe(200);
    expectEnvelope(r1.body, c);
    expect(r1.body.messages.map((m: any) => [m.index, m.type])).toEqual([[1, 'ParticipantJoined']]);

    const sent = await c.call('send', { message: 'hi there', messageType: 'text' });
    expect(sent.status).toBe(200);
    expectEnvelope(sent.body, c);
    expect(sent.body.messages).toEqual([]);
    expect(sent.body.nextPosition).toBe(3);
    expect((await c.call('startTyping', { transcriptPosition: 3, message: 'typ' })).body.messages.map((m: any) => m.type)).toEqual(['TypingStarted']);
    const stop = await c.call('stopTyping', { transcriptPosition: 3, message: 'typ' });
    expect(stop.body.messages.map((m: any) => [m.index, m.type])).toEqual([
      [3, 'TypingStarted'],
      [4, 'TypingStopped'],
    ]);
    const upd = await http(`${c.dataURL}/${c.chatId}/updateData`, {
      method: 'POST',
      headers: { apikey: API_KEY, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${encodeFormBody(c.creds())}&userData%5Bfoo%5D=bar`,
    });
    expect(upd.status).toBe(200);
    expectEnvelope(upd.body, c);

    await c.refreshUntil((seen) => seen.length >= 4);
    expect(c.seen.map((m) => [m.index, m.type, m.text ?? null])).toEqual([
      [1, 'ParticipantJoined', null],
      [2, 'Message', 'hi there'],
      [3, 'TypingStarted', 'typ'],
      [4, 'TypingStopped', 'typ'],
    ]);
    expect(c.seen[1].from).toEqual({ nickname: 'Jonny Smith', participantId: 1, type: 'Client' });
    expectWellFormed(c.seen);

    // The agent sees the GMS customer like any other: user data, queue from the service name, the message.
    const agent = await new Agent(srv.url).login();
    const queued = await agent.queued(c.chatId);
    expect(queued.queue).toBe('Support');
    await agent.acceptFor(c.chatId);
    const session = await agent.call('GET', `/sessions/${c.chatId}`);
    expect(session.body.session.userData).toMatchObject({
      foo: 'bar',
      customerId: '59606',
      GCTI_LanguageCode: 'en',
      FirstName: 'Jonny',
      LastName: 'Smith',
      EmailAddress: 'j@x.io',
      Subject: 'product questions',
    });
    expect(JSON.stringify(session.body.session.userData)).not.toContain(c.secureKey);

    const bye = await c.call('disconnect');
    expect(bye.status).toBe(200);
    expectEnvelope(bye.body, c);
    expect(bye.body.chatEnded).toBe(true);
    // A second disconnect of an ended chat answers the same way; writes are refused.
    expect((await c.call('disconnect')).body).toMatchObject({ statusCode: 0, chatEnded: true });
    const late = await c.call('send', { message: 'anyone?' });
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ statusCode: 2, errors: [{ code: 102 }] });
    expect(late.body.errors[0].advice).toMatch(/ended/);
  });

  it('accepts the request without a trailing slash, the x-api-key header, and a first message in text', async () => {
    const c = new GmsCustomer(srv.url);
    const r = await http(`${c.dataURL}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: gmsStartForm({ nickname: 'JJ', text: 'first words' }) });
    expect(r.status).toBe(200);
    expect(r.body.statusCode).toBe(0);
    expect(r.body.messages.map((m: any) => [m.index, m.type, m.text ?? null, m.from.nickname])).toEqual([
      [1, 'ParticipantJoined', null, 'JJ'],
      [2, 'Message', 'first words', 'JJ'],
    ]);
  });

  it('refuses a missing or unknown apikey, a bad body, and unknown chats with statusCode 2', async () => {
    const c = new GmsCustomer(srv.url);
    const none = await http(`${c.dataURL}/`, { method: 'POST', form: gmsStartForm() });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 2, errors: [{ code: 103 }] });
    expect(typeof none.body.errors[0].advice).toBe('string');
    const wrong = await http(`${c.dataURL}/`, { method: 'POST', headers: { apikey: 'nope-nope' }, form: gmsStartForm() });
    expect(wrong.status).toBe(401);
    const bad = await http(`${c.dataURL}/`, { method: 'POST', headers: { apikey: API_KEY }, form: gmsStartForm({ userData: 'x' }) });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 2, errors: [{ code: 101 }] });
    await c.start();
    const noCreds = await c.call('refresh', { transcriptPosition: 1 }, {});
    expect(noCreds.status).toBe(400);
    expect(noCreds.body.errors[0].advice).toMatch(/alias is required/);
    const badPos = await c.call('refresh', { transcriptPosition: 'abc' });
    expect(badPos.status).toBe(400);
    expect(badPos.body.errors[0].advice).toMatch(/transcriptPosition/);
  });

  it('checks alias, userId and secureKey together on every call', async () => {
    const a = new GmsCustomer(srv.url);
    const b = new GmsCustomer(srv.url);
    await a.start();
    await b.start();
    const flip = (s: string) => s.slice(0, -3) + (s.endsWith('AAA') ? 'BBB' : 'AAA');
    const attempts: [string, Record<string, unknown>, number][] = [
      ['tampered secureKey', { ...a.creds(), secureKey: flip(a.secureKey) }, 401],
      ['garbage secureKey', { ...a.creds(), secureKey: 'deadbeefdeadbeef' }, 401],
      ["another chat's secureKey", { ...a.creds(), secureKey: b.secureKey }, 403],
      ["another chat's userId", { ...a.creds(), userId: b.userId }, 403],
      ['wrong alias', { ...a.creds(), alias: b.alias }, 403],
      ["b's credentials on a's chat", b.creds(), 403],
    ];
    for (const [what, creds, status] of attempts) {
      for (const action of ['refresh', 'send', 'startTyping', 'updateData', 'disconnect', 'customNotice', 'file/limits']) {
        const r = await a.call(action, { transcriptPosition: 1, message: 'x', userData: { k: 'v' } }, creds);
        expect(r.status, `${what} on ${action}`).toBe(status);
        expect(r.body.statusCode, `${what} on ${action}`).toBe(2);
        expect(r.body.messages).toBeUndefined();
      }
    }
    // Nothing got through: a's transcript holds only its own join.
    const t = await a.call('refresh', { transcriptPosition: 1 });
    expect(t.body.messages.map((m: any) => m.type)).toEqual(['ParticipantJoined']);
    expect(t.body.chatEnded).toBe(false);
    // The apikey of another deployment does not open the chat either.
    const other = await http(`${srv.url}/admin/v1/deployments`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, json: { id: 'other-site', name: 'Other' } });
    expect(other.status).toBe(201);
    const cross = await http(`${a.dataURL}/${a.chatId}/refresh`, { method: 'POST', headers: { apikey: other.body.apiKey }, form: { ...a.creds(), transcriptPosition: 1 } });
    expect(cross.status).toBe(403);
  });

  it('a whole chat with an agent: join, messages both ways, typing both ways, Int never visible, stable indexes, sync end -> chatEnded', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    await c.refresh();
    const agent = await new Agent(srv.url).login();
    const interaction = await agent.acceptFor(c.chatId);
    await c.refreshUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
    const joined = c.seen.find((m) => m.from.type === 'Agent');
    expect(joined.from).toEqual({ nickname: 'Demo Agent', participantId: 2, type: 'Agent' });

    expect((await agent.call('POST', `/sessions/${c.chatId}/messages`, { type: 'TypingStarted' })).status).toBe(200);
    expect((await agent.call('POST', `/sessions/${c.chatId}/messages`, { type: 'Text', text: 'internal note', visibility: 'Int' })).status).toBe(200);
    expect((await agent.call('POST', `/sessions/${c.chatId}/messages`, { type: 'Text', text: 'Hello, how can I help?' })).status).toBe(200);
    expect((await agent.call('POST', `/sessions/${c.chatId}/messages`, { type: 'PushUrl', url: 'https://shop.example/help' })).status).toBe(200);
    await c.refreshUntil((seen) => seen.some((m) => m.type === 'PushUrl'));
    const fromAgent = c.seen.filter((m) => m.from.type === 'Agent').map((m) => [m.type, m.text ?? null]);
    expect(fromAgent).toEqual([
      ['ParticipantJoined', null],
      ['TypingStarted', null],
      ['Message', 'Hello, how can I help?'],
      ['PushUrl', 'https://shop.example/help'],
    ]);

    await c.call('startTyping', { message: 'I need' });
    await c.call('send', { message: 'I need a refund', messageType: 'text' });
    const view = await agent.call('GET', `/sessions/${c.chatId}/messages`);
    const custTypes = view.body.messages.filter((m: any) => m.from.type === 'Customer').map((m: any) => [m.type, m.text ?? null]);
    expect(custTypes).toEqual([
      ['ParticipantJoined', null],
      ['TypingStarted', 'I need'],
      ['Text', 'I need a refund'],
    ]);
    await c.refreshUntil((seen) => seen.some((m) => m.text === 'I need a refund'));

    // Indexes are stable: asking again from an older position gives the same messages at the same indexes.
    const again = await c.call('refresh', { transcriptPosition: 2 });
    expect(again.body.messages).toEqual(c.seen.slice(1));
    expect(again.body.nextPosition).toBe(c.seen.length + 1);
    // A position past the end returns nothing.
    expect((await c.call('refresh', { transcriptPosition: c.seen.length + 1 })).body.messages).toEqual([]);

    expect((await agent.call('POST', `/interactions/${interaction.id}/done`)).status).toBe(200);
    expect((await agent.call('POST', `/interactions/${interaction.id}/complete`, {})).status).toBe(200);
    const end = await c.refreshUntil((_seen, last) => last.chatEnded === true);
    expect(end.filter((m) => m.type === 'ParticipantLeft').map((m) => m.from.type)).toEqual(['Agent', 'Client']);
    expectWellFormed(c.seen);
    const all = JSON.stringify(c.seen);
    expect(all).not.toContain('internal note');
    expect(all).not.toContain('InteractionStateChange');
    expect(all).not.toContain('System');
  });

  it('customNotice reaches the agent as a Notice and shows as CustomNotice', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    const r = await c.call('customNotice', { message: 'page: checkout' });
    expect(r.status).toBe(200);
    await c.refreshUntil((seen) => seen.some((m) => m.type === 'CustomNotice'));
    expect(c.seen.find((m) => m.type === 'CustomNotice')).toMatchObject({ text: 'page: checkout', from: { type: 'Client', participantId: 1 } });
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.chatId);
    const view = await agent.call('GET', `/sessions/${c.chatId}/messages`);
    expect(view.body.messages.find((m: any) => m.type === 'Notice' && m.from.type === 'Customer')).toMatchObject({ text: 'page: checkout' });
  });

  it('Parley extension: a send retried with the same operationId is stored once (GMS accepts extra form fields)', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    for (let i = 0; i < 2; i++) expect((await c.call('send', { message: 'sent twice, stored once', operationId: 'gms-op-1' })).status).toBe(200);
    expect((await c.call('send', { message: 'sent twice, stored once', operationId: 'gms-op-2' })).status).toBe(200);
    await c.refreshUntil((seen) => seen.filter((m) => m.text === 'sent twice, stored once').length >= 2);
    expect(c.seen.filter((m) => m.type === 'Message' && m.text === 'sent twice, stored once')).toHaveLength(2);
  });

  it('maps serviceName to a queue of the deployment (any case); an unknown name goes to the default queue', async () => {
    const q = await http(`${srv.url}/admin/v1/queues`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, json: { deploymentId: 'demo', name: 'Billing' } });
    expect(q.status).toBeLessThan(300);
    const agent = await new Agent(srv.url).login();
    const billing = new GmsCustomer(srv.url, 'billing');
    await billing.start();
    expect((await agent.queued(billing.chatId)).queue).toBe('Billing');
    const support = new GmsCustomer(srv.url, 'Support');
    await support.start();
    expect((await agent.queued(support.chatId)).queue).toBe('Support');
    const unknown = new GmsCustomer(srv.url, 'request-chat');
    await unknown.start();
    expect((await agent.queued(unknown.chatId)).queue).toBe('Support');
  });

  it('files: limits, multipart upload with credentials, FileUploaded in the transcript, download; wrong type, size and key refused', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    const limits = await c.call('file/limits');
    expect(limits.status).toBe(200);
    expectEnvelope(limits.body, c);
    expect(limits.body.userData).toMatchObject({ 'upload-max-file-size': '2048', 'upload-file-types': 'png:jpg:jpeg:gif:webp:pdf:txt', 'used-upload-max-files': '0', 'upload-need-agent': 'false' });

    const up = await fetch(`${c.dataURL}/${c.chatId}/file`, { method: 'POST', headers: c.headers(), body: multipart(c.creds(), { name: 'shot.png', type: 'image/png', bytes: PNG }) });
    expect(up.status).toBe(200);
    const upBody = (await up.json()) as any;
    expect(upBody).toMatchObject({ statusCode: 0, chatId: c.chatId });
    const fileId = upBody.userData['file-id'];
    expect(fileId).toMatch(/^[0-9a-f-]{36}$/);

    await c.refreshUntil((seen) => seen.some((m) => m.type === 'FileUploaded'));
    const fileMsg = c.seen.find((m) => m.type === 'FileUploaded');
    expect(fileMsg).toMatchObject({ text: 'shot.png', from: { type: 'Client' }, userData: { 'file-id': fileId, 'file-name': 'shot.png', 'file-size': String(PNG.length), 'file-type': 'image/png' } });
    expect((await c.call('file/limits')).body.userData['used-upload-max-files']).toBe('1');

    const q = new URLSearchParams(c.creds()).toString();
    const dl = await fetch(`${c.dataURL}/${c.chatId}/file/${fileId}/download?${q}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await dl.arrayBuffer()).equals(PNG)).toBe(true);
    const dlPost = await http(`${c.dataURL}/${c.chatId}/file/${fileId}/download`, { method: 'POST', headers: c.headers(), form: c.creds() });
    expect(dlPost.status).toBe(200);

    // The agent sees the file as a File message with a link that opens.
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.chatId);
    const view = await agent.call('GET', `/sessions/${c.chatId}/messages`);
    const file = view.body.messages.find((m: any) => m.type === 'File');
    expect(file.content[0]).toMatchObject({ type: 'image', mime: 'image/png', name: 'shot.png' });
    expect((await fetch(`${srv.url}/nexus/v3/chat${file.content[0].url}`)).status).toBe(200);

    const other = new GmsCustomer(srv.url);
    await other.start();
    const stolen = await fetch(`${c.dataURL}/${other.chatId}/file/${fileId}/download?${new URLSearchParams(other.creds())}`);
    expect(stolen.status).toBe(404);
    const noKey = await fetch(`${c.dataURL}/${c.chatId}/file/${fileId}/download?${new URLSearchParams({ ...c.creds(), secureKey: other.secureKey })}`);
    expect(noKey.status).toBe(403);

    const html = await fetch(`${c.dataURL}/${c.chatId}/file`, {
      method: 'POST',
      headers: c.headers(),
      body: multipart(c.creds(), { name: 'x.html', type: 'text/html', bytes: Buffer.from('<script>1</script>') }),
    });
    expect(html.status).toBe(415);
    expect(((await html.json()) as any).statusCode).toBe(2);
    const fake = await fetch(`${c.dataURL}/${c.chatId}/file`, {
      method: 'POST',
      headers: c.headers(),
      body: multipart(c.creds(), { name: 'x.png', type: 'image/png', bytes: Buffer.from('not a png') }),
    });
    expect(fake.status).toBe(415);
    const big = await fetch(`${c.dataURL}/${c.chatId}/file`, {
      method: 'POST',
      headers: c.headers(),
      body: multipart(c.creds(), { name: 'big.txt', type: 'text/plain', bytes: Buffer.alloc(4096, 97) }),
    });
    expect(big.status).toBe(413);
    const wrongKey = await fetch(`${c.dataURL}/${c.chatId}/file`, {
      method: 'POST',
      headers: c.headers(),
      body: multipart({ ...c.creds(), secureKey: other.secureKey }, { name: 'shot.png', type: 'image/png', bytes: PNG }),
    });
    expect(wrongKey.status).toBe(403);
    expect((await c.call('file/limits')).body.userData['used-upload-max-files']).toBe('1');
  });

  it('answers CORS preflight for the GMS path with the apikey header allowed, and refuses foreign origins', async () => {
    const pre = await fetch(`${srv.url}${GMS}/customer-support/`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:0', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:0');
    expect(pre.headers.get('access-control-allow-headers')).toContain('apikey');
    const foreign = await http(`${srv.url}${GMS}/customer-support/`, { method: 'POST', headers: { apikey: API_KEY, origin: 'https://evil.example' }, form: gmsStartForm() });
    expect(foreign.status).toBe(403);
    expect(foreign.body.statusCode).toBe(2);
  });

  it('documents every GMS route in /openapi.json', async () => {
    const doc = (await http(`${srv.url}/openapi.json`)).body;
    for (const p of [
      '',
      '/{chatId}/refresh',
      '/{chatId}/send',
      '/{chatId}/startTyping',
      '/{chatId}/stopTyping',
      '/{chatId}/customNotice',
      '/{chatId}/updateData',
      '/{chatId}/disconnect',
      '/{chatId}/file',
      '/{chatId}/file/limits',
      '/{chatId}/file/{fileId}/download',
    ]) {
      expect(doc.paths[`${GMS}/{serviceName}${p}`], p).toBeDefined();
    }
  });
});

describe('GMS chat API v2: idle control', () => {
  let srv: Running;
  const clock = new SteppedClock();
  beforeAll(async () => {
    srv = await startServer({}, clock, { sweepEveryMs: 0 });
  });
  afterAll(() => srv.close());

  it('shows the idle alert as IdleAlert and the close as IdleClose with chatEnded', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.chatId);
    clock.advance(130_000);
    expect((await srv.parley.idle.sweep()).alerted).toContain(c.chatId);
    await c.refreshUntil((seen) => seen.some((m) => m.type === 'IdleAlert'));
    expect(c.seen.find((m) => m.type === 'IdleAlert').text).toMatch(/still there/);
    clock.advance(200_000);
    expect((await srv.parley.idle.sweep()).closed).toContain(c.chatId);
    await c.refreshUntil((seen, last) => last.chatEnded === true && seen.some((m) => m.type === 'IdleClose'));
    expectWellFormed(c.seen);
  });
});

describe('GMS chat API v2: rate limits', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ START_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(() => srv.close());

  it('limits chat requests per client address like the other start routes', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await http(`${srv.url}${GMS}/customer-support/`, { method: 'POST', headers: { apikey: API_KEY }, form: gmsStartForm() })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('GMS chat API v2: asynchronous deployment', () => {
  let srv: Running;
  let apiKey = '';
  beforeAll(async () => {
    srv = await startServer();
    const { admin } = await createStaff(srv.url, []);
    const d = await http(`${srv.url}/admin/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { id: 'async-site', name: 'Async', asyncPolicy: { mode: 'async', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thanks.' } },
    });
    apiKey = d.body.apiKey;
  });
  afterAll(() => srv.close());

  it('the chat outlives a completed interaction (chatEnded stays false); writing again opens a new one', async () => {
    const c = new GmsCustomer(srv.url, 'customer-support', apiKey);
    await c.start();
    const agent = await new Agent(srv.url).login();
    const first = await agent.acceptFor(c.chatId);
    await agent.call('POST', `/sessions/${c.chatId}/messages`, { type: 'Text', text: 'done for now' });
    await agent.call('POST', `/interactions/${first.id}/done`);
    await agent.call('POST', `/interactions/${first.id}/complete`, {});
    await c.refreshUntil((seen) => seen.some((m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent'));
    const r = await c.refresh();
    expect(r.body.chatEnded).toBe(false);
    await c.call('send', { message: 'one more question' });
    const next = await agent.queued(c.chatId);
    expect(next).toBeDefined();
    expect(next.id).not.toBe(first.id);
  });
});
