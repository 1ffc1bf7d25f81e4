/**
 * The desktop's REST client against a real in-process server: a write whose answer is lost on
 * the wire is sent again with the same operationId, and the server stores it once; files go as
 * multipart; search and contact answers arrive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { buildParley } from '../../../server/src/app.js';
import { testConfig } from '../../../server/src/config.js';
import { ApiClient, ApiError } from './client.js';

it('a send whose answer is cut is sent again with the same operationId and stored once; a refused one is not retried', async () => {
  const parley = await buildParley(
    testConfig({
      PARLEY_DEMO: 'true',
      PARLEY_DEMO_API_KEY: 'desktop-client-key-1',
      PARLEY_DEMO_AGENT_USER: 'agent',
      PARLEY_DEMO_AGENT_PASSWORD: 'agent-pass-1',
      PARLEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-desktop-')),
    }),
  );
  await parley.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(parley.app.server.address() as { port: number }).port}`;
  try {
    const api = new ApiClient({ base: `${url}/agent/v1`, retryDelaysMs: [50, 50] });
    api.setToken((await api.login('agent', 'agent-pass-1')).token);
    // A chat for the agent to write in.
    const started = await fetch(`${url}/nexus/v3/chat/sessions`, {
      method: 'POST',
      headers: { 'x-api-key': 'desktop-client-key-1', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'data%5Bnickname%5D=Desk&operationId=desk-start',
    }).then((r) => r.json());
    const sessionId = JSON.parse(Buffer.from(started.data.clientToken.split('.')[1], 'base64url').toString()).sessionId as string;
    const queued = (await api.interactionsIn(['Queued'])).interactions.find((i) => i.sessionId === sessionId)!;
    await api.accept(queued.id);

    // The server stores the first try, then its answer is cut as it is written.
    let sends = 0;
    parley.app.server.on('request', (req, res) => {
      if (req.method !== 'POST' || !req.url?.endsWith(`/sessions/${sessionId}/messages`)) return;
      if (++sends > 1) return;
      res.end = (() => {
        res.socket?.destroy();
        return res;
      }) as typeof res.end;
    });
    const sent = await api.send(sessionId, { type: 'Text', text: 'once only', operationId: 'desk-op-1' });
    expect(sent.message.text).toBe('once only');
    expect(sends).toBe(2);
    const log = await api.request<{ messages: { type: string; text?: string }[] }>('GET', `/sessions/${sessionId}/messages`);
    expect(log.messages.filter((m) => m.type === 'Text' && m.text === 'once only')).toHaveLength(1);

    // A refusal is the request's fault: not sent again.
    const before = sends;
    const refused = await api.send(sessionId, { type: 'Text', text: '', operationId: 'desk-op-2' }).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).httpStatus).toBe(400);
    expect(sends - before).toBe(1);

    // A file goes as multipart (its own content type, not JSON); a retried upload is stored once.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082', 'hex');
    const file = await api.sendFile(sessionId, new Blob([png], { type: 'image/png' }), 'dot.png', 'desk-file-1');
    expect(file.message).toMatchObject({ type: 'File', text: 'dot.png' });
    expect((await api.sendFile(sessionId, new Blob([png], { type: 'image/png' }), 'dot.png', 'desk-file-1')).message.id).toBe(file.message.id);
    // Search finds the agent's words; empty filters are left out of the query.
    const found = await api.search({ q: 'once', customer: '', page: 0, pageSize: 5 });
    expect(found.results.map((r) => r.id)).toEqual([sessionId]);
    expect((await api.contact(sessionId)).contact).toBeNull();
  } finally {
    await parley.close();
  }
}, 30_000);
