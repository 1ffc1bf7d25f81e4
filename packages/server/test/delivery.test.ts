import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Agent, createTestData, startServer, V3Customer } from './helpers.js';

const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text);

describe('delivery: every message exactly once, in order', () => {
  it('across reconnects and a server restart (the SQLite file or PostgreSQL schema kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-restart-'));
    const data = await createTestData();
    const overrides = { PARLEY_DATA_DIR: dir, PARLEY_SECRET: 'x'.repeat(40) };
    let srv = await startServer(overrides, undefined, { data });
    const customer = new V3Customer(srv.url);
    await customer.start();
    let agent = await new Agent(srv.url).login();
    await agent.acceptFor(customer.sessionId);
    for (let i = 0; i < 5; i++) await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `m${i}` });
    await customer.pollUntil((seen) => texts(seen).includes('m4'));

    // Messages written while the customer is away, then the server restarts.
    for (let i = 5; i < 10; i++) await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `m${i}` });
    await srv.close();
    srv = await startServer(overrides, undefined, { data });
    agent = await new Agent(srv.url).login();
    for (let i = 10; i < 15; i++) await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `m${i}` });

    // The same client token works on the restarted server and resumes from the delivery cursor.
    const reconnected = new V3Customer(srv.url);
    Object.assign(reconnected, { token: customer.token, sessionId: customer.sessionId, participantId: customer.participantId, seen: customer.seen });
    await reconnected.pollUntil((seen) => texts(seen).includes('m14'));
    const extra = await reconnected.poll('&wait=0');
    expect(extra.body.data.messages).toEqual([]);
    expect(texts(reconnected.seen)).toEqual(Array.from({ length: 15 }, (_, i) => `m${i}`));
    const ids = reconnected.seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    await srv.close();
    await data.drop();
  });

  it('a client that lost a response resumes from its own last index with index=', async () => {
    const srv = await startServer();
    try {
      const customer = new V3Customer(srv.url);
      await customer.start();
      const agent = await new Agent(srv.url).login();
      await agent.acceptFor(customer.sessionId);
      await customer.pollUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
      const lastKept = customer.seen[customer.seen.length - 1].index;
      await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'lost in transit' });
      const lost = await customer.poll();
      expect(texts(lost.body.data.messages)).toEqual(['lost in transit']);
      customer.seen = customer.seen.filter((m) => m.text !== 'lost in transit');
      const resumed = await customer.poll(`&index=${lastKept}`);
      expect(texts(resumed.body.data.messages)).toEqual(['lost in transit']);
    } finally {
      await srv.close();
    }
  });

  it('keeps indexes strictly increasing under concurrent writers', async () => {
    const srv = await startServer();
    try {
      const customer = new V3Customer(srv.url);
      await customer.start();
      const agent = await new Agent(srv.url).login();
      await agent.acceptFor(customer.sessionId);
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => customer.send('Text', `c${i}`)),
        ...Array.from({ length: 30 }, (_, i) => agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `a${i}` })),
      ]);
      await customer.pollUntil((seen) => texts(seen).length === 60, 40);
      const nums = customer.seen.map((m) => Number(m.index.replace('-', '')));
      for (let i = 1; i < nums.length; i++) expect(nums[i]).toBeGreaterThan(nums[i - 1]!);
    } finally {
      await srv.close();
    }
  });

  it('applies a retried write with the same operationId once', async () => {
    const srv = await startServer();
    try {
      const customer = new V3Customer(srv.url);
      await customer.start();
      const first = await customer.send('Text', 'only once', 'retry-1');
      const again = await customer.send('Text', 'only once', 'retry-1');
      expect(again.body.data.message.id).toBe(first.body.data.message.id);
      await customer.poll();
      expect(texts(customer.seen)).toEqual(['only once']);
    } finally {
      await srv.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('answers waiting long polls before closing instead of dropping them', async () => {
    const srv = await startServer({ LONG_POLL_MS: '8000' });
    const customer = new V3Customer(srv.url);
    await customer.start();
    await customer.poll();
    const started = Date.now();
    const pending = customer.poll();
    await new Promise((r) => setTimeout(r, 200));
    const closing = srv.close();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body.data.messages).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
    await closing;
  });
});
