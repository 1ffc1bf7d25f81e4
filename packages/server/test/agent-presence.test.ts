/**
 * Presence follows the agent desktop's connection (core/presence-watch): an agent whose last
 * desktop socket is gone for the grace becomes NotReady "Disconnected", their pending offers go back
 * to the queue (not as their decline) and on to the next agent at once; their Handling chats go back
 * to the queue after the longer grace, with a notice to the customer; coming back within the grace
 * keeps everything. The clock is stepped; the sockets are real.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, AGENT, createStaff, startServer, SteppedClock, V3Customer, type Running } from './helpers.js';

const GRACE_MS = 20_000;
const HANDLING_GRACE_MS = 180_000;

/** The desktop's socket: authenticated, kept open until closed. */
class DesktopSocket {
  private constructor(readonly ws: WebSocket) {}

  static async open(base: string, token: string): Promise<DesktopSocket> {
    const ws = new WebSocket(base.replace('http', 'ws') + '/agent/v1/events');
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
      ws.on('message', (d) => {
        if (JSON.parse(d.toString()).type === 'ready') resolve();
      });
    });
    return new DesktopSocket(ws);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

async function until<T>(check: () => Promise<T | false | undefined>, what: string, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const interactionStates = (seen: any[]) => seen.filter((m) => m.type === 'System' && m.data?.interactionState).map((m) => m.data.interactionState);

describe('presence follows the desktop connection', () => {
  let srv: Running;
  let clock: SteppedClock;
  beforeEach(async () => {
    clock = new SteppedClock();
    // Routing by hand (routeOnce), so each step of the clock is judged exactly once.
    srv = await startServer({}, clock, { routeEveryMs: 3_600_000 });
  });
  afterEach(() => srv.close());

  const ready = (a: Agent) => a.call('PUT', '/me/presence', { presence: 'Ready' });
  const mine = async (a: Agent) => (await a.call('GET', '/interactions?mine=true')).body.interactions as any[];
  const me = async (a: Agent) => (await a.call('GET', '/me')).body as { account: { id: string }; profile: { presence: string; reason: string | null } };
  /** The close reached the server and was recorded: every lease of the account is closed. */
  const closedOnServer = (accountId: string) =>
    until(async () => {
      const leases = await srv.parley.store.tx((tx) => tx.listAgentConnections(accountId));
      return leases.length > 0 && leases.every((l) => l.closedAt !== null);
    }, 'the socket close to be recorded');

  /** Ann (desktop socket, Ready first, so offered first) and Bob (Ready after her). */
  async function team() {
    const { admin, staff } = await createStaff(srv.url, [{ username: 'ann' }, { username: 'bob' }]);
    const [ann, bob] = staff as [Agent, Agent];
    const annId = (await me(ann)).account.id;
    const socket = await DesktopSocket.open(srv.url, ann.token);
    await ready(ann);
    clock.advance(1000);
    await ready(bob);
    return { admin, ann, bob, annId, socket };
  }

  it('socket gone: NotReady "Disconnected" after the grace, the pending offer goes back to the queue (not as her decline) and to the next agent at once', async () => {
    const { ann, bob, annId, socket } = await team();
    const c = new V3Customer(srv.url);
    await c.start();
    await srv.parley.routing.routeOnce();
    const offer = (await mine(ann))[0];
    expect(offer).toMatchObject({ state: 'Offered', sessionId: c.sessionId });

    await socket.close();
    await closedOnServer(annId);
    clock.advance(GRACE_MS - 1000);
    await srv.parley.routing.routeOnce();
    expect((await me(ann)).profile.presence).toBe('Ready');
    expect((await mine(ann))[0]?.id).toBe(offer.id);

    clock.advance(1000);
    await srv.parley.routing.routeOnce();
    expect((await me(ann)).profile).toMatchObject({ presence: 'NotReady', reason: 'Disconnected' });
    expect(await mine(ann)).toEqual([]);
    // The same pass offered it to Bob, long before Ann's 30 s offer would have timed out.
    const moved = (await mine(bob))[0];
    expect(moved).toMatchObject({ id: offer.id, state: 'Offered' });
    // Not as Ann's decline (declines are routing's record, not on the agent API's wire).
    expect((await srv.parley.store.tx((tx) => tx.getInteraction(offer.id)))?.declinedBy).toEqual([]);
    // The supervisor view shows it.
    const { staff: sups } = await createStaff(srv.url, [{ username: 'sue', role: 'supervisor' }]);
    const agents = (await sups[0]!.call('GET', '/agents')).body.agents as any[];
    expect(agents.find((a) => a.id === annId)).toMatchObject({ presence: 'NotReady', reason: 'Disconnected' });
    await c.pollUntil((seen) => interactionStates(seen).length >= 4);
    expect(interactionStates(c.seen)).toEqual(['Queued', 'Offered', 'Queued', 'Offered']);

    // Ann comes back and goes Ready; Bob turns it down: it can be offered to her again.
    const back = await DesktopSocket.open(srv.url, ann.token);
    await ready(ann);
    expect((await bob.call('POST', `/interactions/${offer.id}/reject`)).status).toBe(200);
    await srv.parley.routing.routeOnce();
    expect((await mine(ann))[0]).toMatchObject({ id: offer.id, state: 'Offered' });
    expect((await ann.call('POST', `/interactions/${offer.id}/accept`)).status).toBe(200);
    await back.close();
  });

  it('a Handling chat stays hers through the grace, and goes back to the queue after the longer grace with a notice to the customer', async () => {
    const { ann, bob, annId, socket } = await team();
    await bob.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'Lunch' });
    const c = new V3Customer(srv.url);
    await c.start();
    await srv.parley.routing.routeOnce();
    const taken = await ann.acceptFor(c.sessionId);
    await c.send('Text', 'hello?');

    await socket.close();
    await closedOnServer(annId);
    clock.advance(GRACE_MS);
    await srv.parley.routing.routeOnce();
    expect((await me(ann)).profile).toMatchObject({ presence: 'NotReady', reason: 'Disconnected' });
    expect((await mine(ann)).map((i) => [i.id, i.state])).toEqual([[taken.id, 'Handling']]);

    clock.advance(HANDLING_GRACE_MS - GRACE_MS - 1000);
    await srv.parley.routing.routeOnce();
    expect((await mine(ann)).map((i) => i.state)).toEqual(['Handling']);

    clock.advance(1000);
    await srv.parley.routing.routeOnce();
    expect(await mine(ann)).toEqual([]);
    expect(await ann.queued(c.sessionId)).toMatchObject({ id: taken.id, state: 'Queued' });
    expect((await srv.parley.store.tx((tx) => tx.getInteraction(taken.id)))?.declinedBy).toEqual([]);
    const seen = await c.pollUntil((s) => s.some((m) => m.type === 'Notice' && /disconnected/.test(m.text ?? '')));
    expect(seen.some((m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent')).toBe(true);
    expect(interactionStates(seen)).toEqual(['Queued', 'Offered', 'Handling', 'Queued']);

    // Bob, back from lunch, gets it at once.
    await ready(bob);
    await srv.parley.routing.routeOnce();
    expect((await mine(bob))[0]).toMatchObject({ id: taken.id, state: 'Offered' });
  });

  it('reconnecting within the grace keeps everything: presence, the pending offer and the Handling chat', async () => {
    const { ann, bob, annId, socket } = await team();
    // Only Ann serves.
    await bob.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'Lunch' });
    const first = new V3Customer(srv.url);
    await first.start();
    await srv.parley.routing.routeOnce();
    const handled = await ann.acceptFor(first.sessionId);
    const second = new V3Customer(srv.url);
    await second.start();
    await srv.parley.routing.routeOnce();
    const offers = (await mine(ann)).filter((i) => i.state === 'Offered');
    expect(offers.map((i) => i.sessionId)).toContain(second.sessionId);

    await socket.close();
    await closedOnServer(annId);
    clock.advance(GRACE_MS - 5000);
    await srv.parley.routing.routeOnce();
    const again = await DesktopSocket.open(srv.url, ann.token);
    clock.advance(10_000);
    await srv.parley.routing.routeOnce();
    expect((await me(ann)).profile).toMatchObject({ presence: 'Ready', reason: null });
    const now = await mine(ann);
    expect(now.find((i) => i.id === handled.id)?.state).toBe('Handling');
    expect(now.find((i) => i.sessionId === second.sessionId)?.state).toBe('Offered');

    // With the socket open, time can run on well past both graces.
    await ann.call('POST', `/interactions/${now.find((i) => i.sessionId === second.sessionId)!.id}/accept`);
    clock.advance(HANDLING_GRACE_MS * 2);
    await srv.parley.routing.routeOnce();
    expect((await me(ann)).profile.presence).toBe('Ready');
    expect((await mine(ann)).map((i) => i.state)).toEqual(['Handling', 'Handling']);
    await again.close();
  });

  it('an agent who never opened the desktop (API only) is not affected', async () => {
    const agent = await new Agent(srv.url, AGENT).login();
    await ready(agent);
    clock.advance(HANDLING_GRACE_MS * 2);
    await srv.parley.routing.routeOnce();
    expect((await me(agent)).profile.presence).toBe('Ready');
  });
});
