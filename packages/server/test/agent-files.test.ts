import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentResponses } from '@parley/protocol';
import { Agent, http, opId, startServer, V3, V3Customer, type Running } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082', 'hex');
const FILES_BASE = V3.replace(/\/sessions$/, '');

describe('agents send files and images', () => {
  let srv: Running;
  beforeEach(async () => {
    srv = await startServer({ MAX_UPLOAD_BYTES: '2048' });
  });
  afterEach(() => srv.close());

  const upload = (agent: Agent, sessionId: string, bytes: Buffer, type: string, name: string, operationId = opId()) => {
    const form = new FormData();
    form.set('operationId', operationId);
    form.set('file', new Blob([bytes], { type }), name);
    return http(`${srv.url}/agent/v1/sessions/${sessionId}/files`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}` }, body: form });
  };

  it('an agent in the session sends an image that the customer reads and downloads; the same checks as customer uploads', async () => {
    const agent = await new Agent(srv.url).login();
    const c = new V3Customer(srv.url);
    await c.start();
    // Not in the session yet: refused before anything is stored.
    expect((await upload(agent, c.sessionId, PNG, 'image/png', 'dot.png')).status).toBe(403);
    await agent.acceptFor(c.sessionId);

    const op = opId();
    const ok = await upload(agent, c.sessionId, PNG, 'image/png', 'dot.png', op);
    expect(ok.status).toBe(200);
    expect(agentResponses.message.parse(ok.body).message).toMatchObject({ type: 'File', visibility: 'All', from: { type: 'Agent' }, text: 'dot.png' });
    const content = ok.body.message.content[0];
    expect(content).toMatchObject({ type: 'image', mime: 'image/png', name: 'dot.png', size: PNG.length });
    expect(content.url).toMatch(new RegExp(`^/sessions/${c.sessionId}/images/[0-9a-f-]{36}\\?sig=`));
    // A retried upload with the same operationId is one message.
    const again = await upload(agent, c.sessionId, PNG, 'image/png', 'dot.png', op);
    expect(again.body.message.index).toBe(ok.body.message.index);

    const seen = await c.pollUntil((s) => s.some((m) => m.type === 'File'));
    const file = seen.filter((m) => m.type === 'File');
    expect(file).toHaveLength(1);
    expect(file[0].from.type).toBe('Agent');
    const bytes = await fetch(`${srv.url}${FILES_BASE}${file[0].content[0].url}`);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bytes.arrayBuffer()).equals(PNG)).toBe(true);

    expect((await upload(agent, c.sessionId, Buffer.from('<script>alert(1)</script>'), 'text/html', 'x.html')).status).toBe(415);
    const spoofed = await upload(agent, c.sessionId, Buffer.from('<script>alert(1)</script>'), 'image/png', 'x.png');
    expect(spoofed.status).toBe(415);
    expect(spoofed.body.status.message).toBe("the file's content is not image/png");
    expect((await upload(agent, c.sessionId, Buffer.concat([PNG, Buffer.alloc(4096)]), 'image/png', 'big.png')).status).toBe(413);
    const plain = await http(`${srv.url}/agent/v1/sessions/${c.sessionId}/files`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}` }, json: { file: 'x' } });
    expect(plain.status).toBe(400);
  });

  it('refuses an upload without a staff token', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const form = new FormData();
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const r = await http(`${srv.url}/agent/v1/sessions/${c.sessionId}/files`, { method: 'POST', headers: c.headers(), body: form });
    expect(r.status).toBe(401);
  });
});
