/**
 * An idle v3 long poll (nothing new for the customer) is answered from the node's memory: no store
 * statement, no Redis command, counted at the adapters (parley_store_work_total,
 * parley_fanout_commands_total, parley_limits_commands_total). Anything written to the session, on this node or another, is
 * still delivered at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, nodesOnOneData, startServer, V3Customer, type Running } from './helpers.js';

const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text);

/** What the node's store and fan-out sent their servers so far. */
function work(srv: Running) {
  const store = srv.parley.store.work!;
  return {
    transactions: store.get('transactions'),
    statements: store.get('statements'),
    roundTrips: store.get('round_trips'),
    redis: Object.fromEntries([...(srv.parley.fanout.work?.entries() ?? []), ...srv.parley.limitsWork.entries().map(([command, n]) => [`limits:${command}`, n] as const)]),
  };
}

describe('an idle long poll touches neither the store nor Redis', () => {
  const servers: Running[] = [];
  const nodes = nodesOnOneData();
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await nodes.close();
  });
  const quiet = { routeEveryMs: 3_600_000, sweepEveryMs: 0 };
  // Per-node work that does not grow with sessions is kept out of the count here: the node re-reads an
  // API key's deployment once per AUTH_CACHE_MS, the webhook dispatcher looks at its outbox once per
  // WEBHOOK_POLL_MS, and with Redis the rate limits' counts go out once per RATE_LIMIT_SYNC_MS.
  const config = { LONG_POLL_MS: '400', AUTH_CACHE_MS: '60000', WEBHOOK_POLL_MS: '60000', RATE_LIMIT_SYNC_MS: '10000' };

  it('counts 0 statements and 0 Redis commands for a re-poll with nothing new, and still delivers what comes next at once', async () => {
    const srv = await startServer(config, undefined, quiet);
    servers.push(srv);
    const customer = new V3Customer(srv.url);
    await customer.start();
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(customer.sessionId);
    await customer.pollUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
    // Caught up: this poll reads the store once, finds nothing, and waits out its hold.
    expect((await customer.poll()).body.data.messages).toEqual([]);

    const before = work(srv);
    for (let i = 0; i < 3; i++) {
      const idle = await customer.poll();
      expect(idle.status).toBe(200);
      expect(idle.body.data.messages).toEqual([]);
      expect(idle.body.data.chatEnded).toBe(false);
    }
    expect(work(srv)).toEqual(before);

    // A message written between two polls (no poll open) is in the very next one, without waiting.
    await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'between polls' });
    const started = Date.now();
    const next = await customer.poll();
    expect(texts(next.body.data.messages)).toEqual(['between polls']);
    expect(Date.now() - started).toBeLessThan(300);
    expect(work(srv).statements).toBeGreaterThan(before.statements);

    // And one written while a poll waits wakes it.
    const waiting = customer.poll();
    await new Promise((r) => setTimeout(r, 100));
    await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'while waiting' });
    expect(texts((await waiting).body.data.messages)).toEqual(['while waiting']);

    // The chat ends: the next poll says so (ending is a write to the session), and is not served from memory.
    await customer.poll('&wait=0');
    const ended = await customer.leave();
    expect(ended.status).toBe(200);
    const last = await customer.poll();
    expect([200, 404]).toContain(last.status);
    if (last.status === 200) expect(last.body.data.chatEnded).toBe(true);
    expect(texts(customer.seen)).toEqual(['between polls', 'while waiting']);
  });

  it('two nodes (one store, Redis between them): a message written on the other node between two idle polls is in the next poll', async () => {
    const a = await nodes.start(config, quiet);
    const b = await nodes.start(config, quiet);
    const customer = new V3Customer(a.url);
    await customer.start();
    const agent = await new Agent(b.url).login();
    await agent.acceptFor(customer.sessionId);
    await customer.pollUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
    expect((await customer.poll()).body.data.messages).toEqual([]);
    const before = work(a);
    expect((await customer.poll()).body.data.messages).toEqual([]);
    expect(work(a)).toEqual(before);

    for (let i = 0; i < 5; i++) {
      await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `m${i}` });
      await customer.pollUntil((seen) => texts(seen).includes(`m${i}`));
    }
    expect(texts(customer.seen)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
