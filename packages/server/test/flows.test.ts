import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFlow } from '../src/flows/definition.js';
import { Agent, http, startServer, SteppedClock, V3Customer, type Running } from './helpers.js';

const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text' || m.type === 'Notice').map((m) => m.text);
const states = (seen: any[]) => seen.filter((m) => m.type === 'System').map((m) => m.data.interactionState);

/** A real external bot on loopback: records what it gets, answers as told. */
class FakeBot {
  received: any[] = [];
  mode: 'answer' | 'fail' | 'hang' = 'answer';
  server: Server;
  url = '';
  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const event = JSON.parse(body);
        this.received.push({ event, signature: req.headers['x-parley-signature'] });
        if (this.mode === 'fail') return res.writeHead(503).end();
        if (this.mode === 'hang') return; // never answers: the engine's timeout decides
        const reply =
          event.event === 'started'
            ? { replies: ['Hello from the external bot'] }
            : event.text === 'human please'
              ? { replies: ['Passing you on.'], handoff: { queue: 'Billing', priority: 4 } }
              : { replies: [`You said: ${event.text}`] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      });
    });
  }
  async listen() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as any).port}/bot`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

describe('flow format', () => {
  it('accepts the demo flow as YAML and as JSON, and explains mistakes', async () => {
    const { demoFlow } = await import('../src/flows/demo-flow.js');
    expect(parseFlow(JSON.stringify(demoFlow)).start).toBe('greet');
    const yaml = `id: tiny\nstart: hi\nsteps:\n  hi:\n    say: Hello\n    next: done\n  done:\n    end: true\n`;
    expect(Object.keys(parseFlow(yaml).steps)).toEqual(['hi', 'done']);
    expect(() => parseFlow('id: x\nstart: nowhere\nsteps: {}\n')).toThrow(/start names step "nowhere", which does not exist/);
    expect(() => parseFlow({ id: 'x', start: 'a', steps: { a: { ask: 'q', intents: [{ name: 'i', regex: '(', next: 'a' }] } } })).toThrow(/not a valid regular expression/);
    expect(() => parseFlow('{ not json')).toThrow(/not valid JSON or YAML/);
  });
});

describe('the built-in flow engine (demo flow)', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_BOT: 'true' }, undefined, { sweepEveryMs: 0 });
  });
  afterAll(() => srv.close());

  it('greets, matches intents by phrase and regex, falls back, collects and validates, sets data and routes', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.pollUntil((seen) => texts(seen).length >= 2);
    expect(states(c.seen)).toEqual(['Workflow']);
    expect(c.seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'External' && m.from.nickname === 'Parley Bot')).toBe(true);
    expect(texts(c.seen)).toEqual(["Hi! I'm the Parley bot. I can tell you our opening hours, or get you a human.", "Type 'hours', or 'agent' to talk to a person."]);
    await c.send('Text', 'When are you open?');
    await c.pollUntil((seen) => texts(seen).includes("We're open Monday to Friday, 9:00 to 17:00."));
    await c.send('Text', 'banana');
    await c.pollUntil((seen) => texts(seen).includes("Sorry, I didn't get that."));
    await c.send('Text', 'Agent');
    await c.pollUntil((seen) => texts(seen).includes('Sure. What email address can the agent reach you at?'));
    await c.send('Text', 'not-an-email');
    await c.pollUntil((seen) => texts(seen).includes("That doesn't look like an email address. Please try again."));
    await c.send('Text', 'jonny@example.com');
    await c.pollUntil((seen) => texts(seen).includes('Thanks! An agent will be with you shortly.') && states(seen).includes('Queued'));
    const agent = await new Agent(srv.url).login();
    const queued = await agent.queued(c.sessionId);
    expect(queued).toMatchObject({ queue: 'Support', priority: 2 });
    const session = await agent.call('GET', `/sessions/${c.sessionId}`);
    expect(session.body.session.userData).toMatchObject({ EmailAddress: 'jonny@example.com', source: 'bot' });
  });

  it('skips a question whose answer the registration form already gave', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Form', email: 'form@example.com' });
    await c.send('Text', 'agent');
    await c.pollUntil((seen) => states(seen).includes('Queued'));
    expect(texts(c.seen).some((t) => /email address/.test(t))).toBe(false);
  });

  it('tells a waiting customer their queue position', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.send('Text', 'agent');
    await c.send('Text', 'a@b.co');
    await c.pollUntil((seen) => states(seen).includes('Queued'));
    await srv.parley.flows.sendQueueUpdates();
    // No agent is Ready: the customer is told so, not given an estimate.
    await c.pollUntil((seen) => seen.some((m) => m.type === 'Notice' && /^You are number \d+ in the queue\. No agent is available right now; the first one free will answer you here\.$/.test(m.text)));
    const before = c.seen.length;
    await srv.parley.flows.sendQueueUpdates();
    await c.poll('&wait=0');
    expect(c.seen.slice(before).filter((m) => m.type === 'Notice')).toHaveLength(0);
  });

  it('seed 004: the banner shows when an agent joins; "talk to bot" closes the agent interaction and the bot answers again', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.send('Text', 'human');
    await c.send('Text', 'seed004@example.com');
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    const banner = (await c.pollUntil((seen) => seen.some((m) => m.event === 'ui-event-update-promotion'))).find((m) => m.event === 'ui-event-update-promotion');
    expect(banner.data).toEqual({ title: 'Want to go back to the bot?', options: [{ title: 'Back to the bot', text: 'talk to bot' }] });
    await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'Hi, I am Demo Agent.' });
    await c.send('Text', 'Talk to bot');
    await c.pollUntil((seen) => texts(seen).includes("I'm back. What else can I do for you?"));
    expect(c.seen.some((m) => m.event === 'ui-event-close-promotion')).toBe(true);
    expect(c.seen.some((m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent')).toBe(true);
    expect(states(c.seen).slice(-4)).toEqual(['Handling', 'Finalizing', 'Completed', 'Workflow']);
    const agentView = (await agent.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages;
    expect(agentView.some((m: any) => m.visibility === 'Int' && m.text === 'Ticket closed: The customer asked to go back to the bot.')).toBe(true);
    // The bot journey goes on: it understands the customer again.
    await c.send('Text', 'hours');
    await c.pollUntil((seen) => texts(seen).filter((t) => t === "We're open Monday to Friday, 9:00 to 17:00.").length === 1);
  });

  it('ends the bot part when the customer says bye (a sync chat ends)', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.send('Text', 'bye');
    await c.pollUntil((seen) => texts(seen).includes('Goodbye!'));
    let r;
    for (let i = 0; i < 3 && !r?.body.data.chatEnded; i++) r = await c.poll();
    expect(r!.body.data.chatEnded).toBe(true);
    expect(states(c.seen)).toEqual(['Workflow', 'Completed']);
  });
});

describe('the first flow turn running late (another node, or a slow one)', () => {
  it('still reads what the customer wrote before it: nothing the customer said is skipped', async () => {
    const srv = await startServer({ PARLEY_DEMO_BOT: 'true' }, undefined, { sweepEveryMs: 0 });
    try {
      // The start's own turn never runs here: the first turn is the one the customer's text queues,
      // after that text is in the log (as when the start's turn runs late, or another node runs it).
      const { flows, events } = srv.parley;
      flows.detach();
      events.on('CustomerTextReceived', flows.reactions.CustomerTextReceived);
      const c = new V3Customer(srv.url);
      await c.start();
      await c.send('Text', 'agent');
      await c.pollUntil((seen) => texts(seen).includes('Sure. What email address can the agent reach you at?'));
      expect(texts(c.seen)).toContain("Hi! I'm the Parley bot. I can tell you our opening hours, or get you a human.");
      await c.send('Text', 'late@example.com');
      await c.pollUntil((seen) => states(seen).includes('Queued'));
    } finally {
      await srv.close();
    }
  });
});

describe('external bots through webhooks', () => {
  let srv: Running;
  let bot: FakeBot;
  afterEach(async () => {
    await srv.close();
    await bot.close();
  });

  async function setup(mode: FakeBot['mode'], timeoutMs = 400) {
    bot = new FakeBot();
    bot.mode = mode;
    await bot.listen();
    srv = await startServer({}, undefined, { sweepEveryMs: 0 });
    await srv.parley.store.tx(async (tx) => {
      const d = (await tx.getDeployment('demo'))!;
      const flow = {
        id: 'external',
        start: 'bot',
        steps: {
          bot: { webhook: { url: bot.url, secret: 'hook-secret', timeoutMs, retries: 2 }, fallback: 'to-queue' },
          'to-queue': { route: { queue: 'Support' }, say: 'Our bot is unavailable; an agent will be with you shortly.' },
        },
      };
      await tx.updateDeployment({ ...d, settings: { ...d.settings, flow } });
    });
    // Written past the admin API: announced by hand, as the admin API does.
    await srv.parley.directory.changed();
  }

  it('sends events out and takes replies and a hand-off back', async () => {
    await setup('answer');
    const c = new V3Customer(srv.url);
    await c.start();
    await c.pollUntil((seen) => texts(seen).includes('Hello from the external bot'));
    expect(bot.received[0].event).toMatchObject({ event: 'started', sessionId: c.sessionId, userData: { customerId: '59606' } });
    expect(bot.received[0].signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    await c.send('Text', 'ping');
    await c.pollUntil((seen) => texts(seen).includes('You said: ping'));
    // Replies can also come later through the workflow API.
    const late = await http(`${srv.url}/workflow/v1/sessions/${c.sessionId}/bot-reply`, {
      method: 'POST',
      headers: { 'x-api-key': srv.parley.demo!.created!.serverKey },
      json: { replies: ['a late thought'] },
    });
    expect(late.status).toBe(200);
    await c.pollUntil((seen) => texts(seen).includes('a late thought'));
    await c.send('Text', 'human please');
    await c.pollUntil((seen) => states(seen).includes('Queued'));
    const agent = await new Agent(srv.url).login();
    expect(await agent.queued(c.sessionId)).toMatchObject({ queue: 'Billing', priority: 4 });
  });

  it('falls back to the queue when the bot keeps failing (after retries)', async () => {
    await setup('fail');
    const c = new V3Customer(srv.url);
    await c.start();
    await c.pollUntil((seen) => texts(seen).includes('Our bot is unavailable; an agent will be with you shortly.') && states(seen).includes('Queued'));
    expect(bot.received).toHaveLength(3);
  });

  it('falls back to the queue when the bot does not answer in time', async () => {
    await setup('hang', 300);
    const c = new V3Customer(srv.url);
    const t = Date.now();
    await c.start();
    await c.pollUntil((seen) => states(seen).includes('Queued'));
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
  });
});

describe('idle control (controllable clock)', () => {
  it('alerts a silent customer once, then closes the synchronous chat', async () => {
    const clock = new SteppedClock();
    const srv = await startServer({}, clock, { sweepEveryMs: 0 });
    try {
      const c = new V3Customer(srv.url);
      await c.start();
      const agent = await new Agent(srv.url).login();
      await agent.acceptFor(c.sessionId);
      clock.advance(60_000);
      expect((await srv.parley.idle.sweep()).alerted).toEqual([]);
      clock.advance(61_000);
      expect((await srv.parley.idle.sweep()).alerted).toEqual([c.sessionId]);
      expect((await srv.parley.idle.sweep()).alerted).toEqual([]);
      await c.pollUntil((seen) => seen.some((m) => m.type === 'Notice' && /Are you still there/.test(m.text)));
      // The customer answers: the clock starts again.
      await c.send('Text', 'yes, sorry');
      clock.advance(200_000);
      expect((await srv.parley.idle.sweep()).closed).toEqual([]);
      clock.advance(120_000);
      const swept = await srv.parley.idle.sweep();
      expect(swept.closed).toEqual([c.sessionId]);
      const end = await c.pollUntil((seen) => seen.some((m) => m.type === 'Notice' && /closed because there was no reply/.test(m.text)));
      expect(end.some((m) => m.type === 'ParticipantLeft' && m.from.type === 'Customer')).toBe(true);
      const last = await c.poll();
      expect(last.body.data.chatEnded).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('a sweep opens no transaction for silent sessions with nothing due, nor again for one it found alerted', async () => {
    const clock = new SteppedClock();
    const srv = await startServer({}, clock, { sweepEveryMs: 0, routeEveryMs: 3_600_000 });
    try {
      const agent = await new Agent(srv.url).login();
      const customers = [new V3Customer(srv.url), new V3Customer(srv.url), new V3Customer(srv.url)];
      for (const c of customers) {
        await c.start();
        await agent.acceptFor(c.sessionId);
      }
      const transactions = () => srv.parley.store.work!.get('transactions');
      clock.advance(60_000);
      let before = transactions();
      expect(await srv.parley.idle.sweep()).toEqual({ alerted: [], closed: [] });
      expect(transactions() - before).toBe(0);
      clock.advance(61_000);
      before = transactions();
      expect((await srv.parley.idle.sweep()).alerted.sort()).toEqual(customers.map((c) => c.sessionId).sort());
      expect(transactions() - before).toBe(3);
      before = transactions();
      expect(await srv.parley.idle.sweep()).toEqual({ alerted: [], closed: [] });
      expect(transactions() - before).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('reaches a due session behind more silent sessions than a page holds, the pass after the one that stopped at its limit', async () => {
    const clock = new SteppedClock();
    const srv = await startServer({}, clock, { sweepEveryMs: 0, routeEveryMs: 3_600_000 });
    try {
      // 600 sessions silent for longer than the one with an agent, none of them due (no interaction):
      // the first 500 candidates (one page, before the change the only one) hold none that is due.
      const early = new Date(clock.now() - 3_600_000).toISOString();
      await srv.parley.store.tx(async (tx) => {
        for (let i = 0; i < 600; i++)
          await tx.insertSession({
            id: `silent-${String(i).padStart(3, '0')}`,
            deploymentId: 'demo',
            async: false,
            state: 'Active',
            customerParticipantId: `p-${i}`,
            transportId: `t-${i}`,
            userData: {},
            createdAt: early,
            endedAt: null,
            lastIndexNum: 0,
            lastCustomerAt: early,
            lastActivityAt: early,
          });
      });
      const c = new V3Customer(srv.url);
      await c.start();
      const agent = await new Agent(srv.url).login();
      await agent.acceptFor(c.sessionId);
      clock.advance(121_000);
      srv.parley.idle.maxPerPass = 500;
      expect((await srv.parley.idle.sweep()).alerted).toEqual([]);
      expect((await srv.parley.idle.sweep()).alerted).toEqual([c.sessionId]);
      await c.pollUntil((seen) => seen.some((m) => m.type === 'Notice' && /Are you still there/.test(m.text)));
      // Without a limit in the way, one pass reads every page: nothing new is due.
      srv.parley.idle.maxPerPass = 5_000;
      expect(await srv.parley.idle.sweep()).toEqual({ alerted: [], closed: [] });
    } finally {
      await srv.close();
    }
  });

  it('does not alert customers waiting in the queue, and closes idle async sessions after the long limit', async () => {
    const clock = new SteppedClock();
    const srv = await startServer({}, clock, { sweepEveryMs: 0 });
    try {
      const waiting = new V3Customer(srv.url);
      await waiting.start();
      const asyncC = new V3Customer(srv.url);
      await asyncC.start({ firstName: 'Later', async: 'true' });
      clock.advance(400_000);
      // The waiting chat's clocks say "close", but a read finds it queued: no write transaction.
      const transactions = srv.parley.store.work!.get('transactions');
      const first = await srv.parley.idle.sweep();
      expect(first.alerted).toEqual([]);
      expect(first.closed).toEqual([]);
      expect(srv.parley.store.work!.get('transactions') - transactions).toBe(0);
      clock.advance(7 * 86_400_000);
      expect((await srv.parley.idle.sweep()).closed).toEqual([asyncC.sessionId]);
    } finally {
      await srv.close();
    }
  });
});
