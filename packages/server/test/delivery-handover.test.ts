/**
 * Cursor-only delivery (the Genesys client's long poll without index=) is at least once with no
 * duplicate: the delivery cursor moves only once an answer has been written whole. Answers are
 * cut exactly while they are being written (headers and half the body sent, then the socket
 * destroyed), deterministically, and the client still receives every message once, in order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Agent, startServer, V3Customer } from './helpers.js';

const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text);

/**
 * Cuts the answers of cursor-only polls that carry messages, while they are written: the first
 * `cuts` of them, every other one (so some answers in between get through).
 */
function cutPollAnswers(server: import('node:http').Server, cuts: number): { cut: number } {
  const state = { cut: 0, seen: 0 };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || !/\/messages\?/.test(req.url ?? '') || /[?&](index|count)=/.test(req.url ?? '')) return;
    const write = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : '';
      if (body.includes('"messages":[{') && state.cut < cuts && state.seen++ % 2 === 0) {
        state.cut++;
        res.write(body.slice(0, Math.floor(body.length / 2)));
        res.socket?.destroy();
        return res;
      }
      return write(chunk, ...rest);
    }) as typeof res.end;
  });
  return state;
}

describe('delivery to cursor-only clients survives answers cut on the wire', () => {
  it('every message once, in order, although answers carrying them were cut while being written', async () => {
    const srv = await startServer();
    try {
      const cutter = cutPollAnswers(srv.parley.app.server, 4);
      const customer = new V3Customer(srv.url);
      await customer.start();
      const agent = await new Agent(srv.url).login();
      await agent.acceptFor(customer.sessionId);
      const expected: string[] = [];
      let failedPolls = 0;
      const pollOnce = async () => {
        try {
          const r = await customer.poll('&wait=200');
          expect(r.status).toBe(200);
        } catch {
          failedPolls++; // the answer was cut: the client polls again, as the Genesys client does
        }
      };
      for (let round = 0; round < 8; round++) {
        for (let i = 0; i < 3; i++) {
          const text = `m${round}-${i}`;
          const r = await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text });
          expect(r.status).toBe(200);
          expected.push(text);
        }
        const r = await customer.send('Text', `c${round}`);
        expect(r.status).toBe(200);
        expected.push(`c${round}`);
        await pollOnce();
      }
      for (let i = 0; i < 20 && texts(customer.seen).length < expected.length; i++) await pollOnce();
      await pollOnce();

      expect(cutter.cut).toBe(4);
      expect(failedPolls).toBe(4);
      expect(texts(customer.seen)).toEqual(expected);
      const ids = customer.seen.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await srv.close();
    }
  });
});
