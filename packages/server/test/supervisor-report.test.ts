/**
 * The supervisors' day report through the server (SQLite in `integration`, PostgreSQL in
 * `integration-pg`), on a scripted day with a stepped clock, so every figure is known: offered,
 * handled, abandoned and waiting per queue and in total, average wait and handle times, and per
 * agent handled, declined (a rejected offer) and handle time. Agents may not read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResponses } from '@parley/protocol';
import { Agent, createStaff, startServer, SteppedClock, V3Customer, type Running } from './helpers.js';

describe('supervisor day report', () => {
  let srv: Running;
  let clock: SteppedClock;
  let sup: Agent;
  let ann: Agent;
  let bob: Agent;
  let dayStart: string;
  beforeAll(async () => {
    clock = new SteppedClock();
    srv = await startServer({}, clock);
    dayStart = new Date(clock.now() - 60_000).toISOString();
    const { staff } = await createStaff(srv.url, [{ username: 'ann-r' }, { username: 'bob-r' }, { username: 'sup-r', role: 'supervisor' }]);
    [ann, bob, sup] = staff as [Agent, Agent, Agent];
    const ready = (a: Agent) => a.call('PUT', '/me/presence', { presence: 'Ready' });
    const mine = async (a: Agent) => (await a.call('GET', '/interactions?mine=true')).body.interactions as { id: string; sessionId: string; state: string }[];

    // 1: Ann takes it after 10 s, handles it 60 s (wrap-up included).
    const c1 = new V3Customer(srv.url);
    await c1.start();
    clock.advance(10_000);
    const i1 = await ann.acceptFor(c1.sessionId);
    clock.advance(50_000);
    await ann.call('POST', `/interactions/${i1.id}/done`);
    clock.advance(10_000);
    await ann.call('POST', `/interactions/${i1.id}/complete`, {});
    // 2: offered to Bob, who rejects it; Ann takes it after 30 s and handles it 120 s.
    await ready(bob);
    const c2 = new V3Customer(srv.url);
    await c2.start();
    await srv.parley.routing.routeOnce();
    const offer = (await mine(bob)).find((i) => i.sessionId === c2.sessionId)!;
    expect((await bob.call('POST', `/interactions/${offer.id}/reject`)).status).toBe(200);
    await bob.call('PUT', '/me/presence', { presence: 'NotReady' });
    clock.advance(30_000);
    const i2 = await ann.acceptFor(c2.sessionId);
    clock.advance(120_000);
    await ann.call('POST', `/interactions/${i2.id}/done`);
    await ann.call('POST', `/interactions/${i2.id}/complete`, {});
    // 3: the customer leaves before anyone takes it (abandoned). 4: still waiting.
    const c3 = new V3Customer(srv.url);
    await c3.start();
    clock.advance(5_000);
    expect((await c3.leave()).status).toBe(200);
    const c4 = new V3Customer(srv.url);
    await c4.start();
    // 5: Bob takes it after 20 s and is still handling it (not in the handle time yet).
    const c5 = new V3Customer(srv.url);
    await c5.start();
    clock.advance(20_000);
    await bob.acceptFor(c5.sessionId);
  });
  afterAll(() => srv?.close());

  const report = (who: Agent, from: string, to: string) => who.call('GET', `/supervisor/report?${new URLSearchParams({ from, to })}`);

  it('counts the scripted day per queue, in total and per agent', async () => {
    const r = await report(sup, dayStart, new Date(clock.now() + 60_000).toISOString());
    expect(r.status).toBe(200);
    const day = agentResponses.report.parse(r.body);
    // The stepped clock runs in real time between its steps: times are the steps' plus under a second.
    const near = (seconds: number) => expect.toSatisfy((x: number | null) => x !== null && x >= seconds && x < seconds + 1);
    const figures = { offered: 5, handled: 3, abandoned: 1, waiting: 1, averageWaitSeconds: near(20), averageHandleSeconds: near(90) };
    expect(day.totals).toEqual(figures);
    expect(day.queues).toEqual([{ queue: 'Support', deploymentId: 'demo', ...figures }]);
    const byName = Object.fromEntries(day.agents.map((a) => [a.displayName, a]));
    expect(byName['ann-r']).toEqual(expect.objectContaining({ handled: 2, declined: 0, averageHandleSeconds: near(90) }));
    expect(byName['bob-r']).toMatchObject({ handled: 1, declined: 1, averageHandleSeconds: null });
    expect(day.truncated).toBe(false);
  });

  it('a period before the day is empty; bad periods and agents are refused', async () => {
    const empty = agentResponses.report.parse((await report(sup, '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z')).body);
    expect(empty.totals).toEqual({ offered: 0, handled: 0, abandoned: 0, waiting: 0, averageWaitSeconds: null, averageHandleSeconds: null });
    expect((await report(sup, '2020-01-02T00:00:00Z', '2020-01-01T00:00:00Z')).status).toBe(400);
    expect((await report(sup, '2020-01-01T00:00:00Z', '2020-03-01T00:00:00Z')).status).toBe(400);
    expect((await report(ann, dayStart, new Date(clock.now()).toISOString())).status).toBe(403);
  });
});
