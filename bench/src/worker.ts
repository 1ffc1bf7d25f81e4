/**
 * A load-generator process (forked by run.ts; never the server's process). `customer` workers hold
 * customers, `agent` workers hold agent connections. The orchestrator drives them with a small
 * RPC over the IPC channel: setup, run/measure, collect, teardown. Every wait is bounded.
 */
import { Hist } from './lib/hist.js';
import { keepAliveAgent } from './lib/http.js';
import { mapLimit, nowUs, sleep, withTimeout } from './lib/util.js';
import { GuestV2Customer, ParleyV3Customer, SioCustomer, WsCustomer, type Customer, type CustomerEvents } from './clients/customer.js';
import { ParleyAgent, SioAgent, WsAgent, type AgentConn } from './clients/agent.js';
import type { AgentSetup, AgentStats, CustomerSetup, CustomerStats, RunPlan, SessionRef } from './clients/types.js';

const role = process.argv[2];
const handlers = new Map<string, (payload: any) => Promise<unknown>>();
process.on('message', async (m: { id: number; op: string; payload: unknown }) => {
  const h = handlers.get(m.op);
  try {
    if (!h) throw new Error(`unknown op ${m.op}`);
    const result = await h(m.payload);
    process.send!({ id: m.id, result });
  } catch (err) {
    process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
// A lost orchestrator never leaves this process behind.
setTimeout(() => process.exit(3), Number(process.env.BENCH_WORKER_MAX_MS ?? 3 * 3600_000)).unref();

const httpAgent = keepAliveAgent();

function samples(list: string[], where: string, err: unknown): void {
  if (list.length < 8) list.push(`${where}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
}

// ---- customers -------------------------------------------------------------------------------

interface Slot {
  c: Customer;
  /** Global customer number: spreads the send phases evenly over all workers. */
  n: number;
  seq: number;
  outstanding: Map<number, number>;
}

if (role === 'customer') {
  const slots: Slot[] = [];
  let plan: RunPlan | null = null;
  let stats = freshCustomerStats();
  let outstandingMeasured = 0;
  const newHists = () => ({ rtt: new Hist(), a2c: new Hist(), ack: new Hist(), lag: new Hist() });
  let hists = newHists();

  function freshCustomerStats() {
    return { sent: 0, measuredSent: 0, measuredReplies: 0, sendErrors: 0, pollErrors: 0, errorSamples: [] as string[] };
  }

  const events = (slot: () => Slot): CustomerEvents => ({
    onText(text) {
      if (!text.startsWith('echo|')) return;
      const now = nowUs();
      const [, seqS, t0S, t1S] = text.split('|');
      const s = slot();
      const seq = Number(seqS);
      if (!s.outstanding.delete(seq)) return;
      const t0 = Number(t0S);
      const t1 = Number(t1S);
      if (plan && t0 >= plan.measureFromUs && t0 < plan.measureUntilUs) {
        outstandingMeasured--;
        stats.measuredReplies++;
        hists.rtt.record((now - t0) / 1000);
        hists.a2c.record((now - t1) / 1000);
      }
    },
    onError(where, err) {
      stats.pollErrors++;
      samples(stats.errorSamples, where, err);
    },
  });

  handlers.set('setup', async (p: CustomerSetup) => {
    const made: Slot[] = [];
    const errors: string[] = [];
    let failed = 0;
    await mapLimit(
      Array.from({ length: p.count }, (_, i) => p.offset + i),
      p.startConcurrency ?? 32,
      async (n) => {
        const node = n % p.urls.length;
        const base = p.urls[node]!;
        let slot!: Slot;
        const ev = events(() => slot);
        let c: Customer;
        try {
          if (p.system === 'parley') {
            const pc = new ParleyV3Customer(httpAgent, base, node, p.apiKey!, p.prefix!, ev, p.headers);
            await pc.start(n);
            c = pc;
          } else if (p.system === 'guest') {
            const gc = new GuestV2Customer(httpAgent, base, node, p.deploymentId ?? 'demo', ev);
            await gc.start(n);
            c = gc;
          } else if (p.system === 'ws') {
            const wc = new WsCustomer(`s-${n}`, base, node, ev);
            await wc.start();
            c = wc;
          } else if (p.system === 'sio') {
            const sc = new SioCustomer(`s-${n}`, base, node, ev);
            await sc.start();
            c = sc;
          } else throw new Error(`no customer client for ${p.system}`);
        } catch (err) {
          failed++;
          samples(errors, 'start', err);
          return;
        }
        slot = { c, n, seq: 0, outstanding: new Map() };
        made.push(slot);
      },
    );
    slots.push(...made);
    return { sessions: made.map((s) => ({ id: s.c.id, node: s.c.node })) as SessionRef[], failed, errors };
  });

  handlers.set('run', async (p: RunPlan) => {
    plan = p;
    stats = freshCustomerStats();
    outstandingMeasured = 0;
    hists = newHists();
    for (const s of slots) s.outstanding.clear();
    const intervalUs = p.intervalMs * 1000;
    const fire = (s: Slot, atUs: number) => {
      const t0 = nowUs();
      const measured = t0 >= p.measureFromUs && t0 < p.measureUntilUs;
      const seq = ++s.seq;
      s.outstanding.set(seq, t0);
      stats.sent++;
      if (measured) {
        stats.measuredSent++;
        outstandingMeasured++;
        hists.lag.record((t0 - atUs) / 1000);
      }
      s.c.send(`bench|${seq}|${t0}`).then(
        () => measured && hists.ack.record((nowUs() - t0) / 1000),
        (err) => {
          stats.sendErrors++;
          samples(stats.errorSamples, 'send', err);
        },
      );
      schedule(s, atUs + intervalUs);
    };
    const schedule = (s: Slot, atUs: number) => {
      if (atUs >= p.sendUntilUs) return;
      setTimeout(() => fire(s, atUs), Math.max(0, (atUs - nowUs()) / 1000));
    };
    // Phases spread evenly (golden-ratio sequence over the global customer number, so workers need
    // no coordination): the rate is steady, and a window of any length sees its share of sends.
    const salt = Math.random();
    for (const s of slots) schedule(s, p.sendFromUs + ((s.n * 0.6180339887498949 + salt) % 1) * intervalUs);
    await sleep(Math.max(0, (p.sendUntilUs - nowUs()) / 1000));
    const graceEnd = Date.now() + p.graceMs;
    while (outstandingMeasured > 0 && Date.now() < graceEnd) await sleep(50);
    const result: CustomerStats = {
      rtt: hists.rtt.toJSON(),
      agentToCustomer: hists.a2c.toJSON(),
      ack: hists.ack.toJSON(),
      lag: hists.lag.toJSON(),
      sent: stats.sent,
      measuredSent: stats.measuredSent,
      measuredReplies: stats.measuredReplies,
      lost: Math.max(0, outstandingMeasured),
      sendErrors: stats.sendErrors,
      pollErrors: stats.pollErrors,
      errorSamples: stats.errorSamples,
    };
    plan = null;
    return result;
  });

  handlers.set('leave', async () => {
    await mapLimit(slots, 16, async (s) => {
      if (s.c instanceof ParleyV3Customer) await withTimeout(s.c.leave(), 10_000, 'leave').catch(() => undefined);
    });
    return true;
  });

  handlers.set('teardown', async () => {
    for (const s of slots) s.c.close();
    slots.length = 0;
    httpAgent.destroy();
    setTimeout(() => process.exit(0), 200);
    return true;
  });
}

// ---- agents ----------------------------------------------------------------------------------

if (role === 'agent') {
  const conns: AgentConn[] = [];
  let window = { from: Infinity, until: -Infinity };
  let c2a = new Hist();
  let stats = { received: 0, measured: 0, replyErrors: 0, errorSamples: [] as string[] };

  handlers.set('setup', async (p: AgentSetup) => {
    const errors: string[] = [];
    let failed = 0;
    await mapLimit(p.agents, p.concurrency ?? 16, async (spec) => {
      const base = p.urls[spec.node % p.urls.length]!;
      let conn!: AgentConn;
      const ev = {
        onText(sessionId: string, text: string) {
          if (!text.startsWith('bench|')) return;
          const now = nowUs();
          const [, seq, t0S] = text.split('|');
          const t0 = Number(t0S);
          stats.received++;
          if (t0 >= window.from && t0 < window.until) {
            stats.measured++;
            c2a.record((now - t0) / 1000);
          }
          conn.reply(sessionId, `echo|${seq}|${t0S}|${nowUs()}`).catch((err) => {
            stats.replyErrors++;
            samples(stats.errorSamples, 'reply', err);
          });
        },
        onError(where: string, err: unknown) {
          samples(stats.errorSamples, where, err);
        },
      };
      if (p.system === 'parley' || p.system === 'guest') conn = new ParleyAgent(httpAgent, base, spec.token!, spec.sessions, ev, p.accept !== false);
      else if (p.system === 'ws') conn = new WsAgent(base, spec.sessions, ev);
      else if (p.system === 'sio') conn = new SioAgent(base, spec.sessions, ev);
      else throw new Error(`no agent client for ${p.system}`);
      try {
        await withTimeout(conn.setup(), 300_000, 'agent setup');
        conns.push(conn);
      } catch (err) {
        failed++;
        samples(errors, 'setup', err);
        conn.close();
      }
    });
    return { connected: conns.length, failed, errors };
  });

  handlers.set('measure', async (p: { fromUs: number; untilUs: number }) => {
    window = { from: p.fromUs, until: p.untilUs };
    c2a = new Hist();
    stats = { received: 0, measured: 0, replyErrors: 0, errorSamples: [] };
    return true;
  });

  handlers.set('collect', async (): Promise<AgentStats> => ({
    customerToAgent: c2a.toJSON(),
    received: stats.received,
    measured: stats.measured,
    replyErrors: stats.replyErrors,
    errorSamples: stats.errorSamples,
  }));

  handlers.set('teardown', async (p: { endChats?: boolean } = {}) => {
    if (p.endChats)
      await withTimeout(
        mapLimit(conns, 8, (c) => c.teardown()),
        120_000,
        'end chats',
      ).catch(() => undefined);
    for (const c of conns) c.close();
    conns.length = 0;
    httpAgent.destroy();
    setTimeout(() => process.exit(0), 200);
    return true;
  });
}

if (role !== 'customer' && role !== 'agent') {
  console.error(`worker role must be customer or agent, got ${role}`);
  process.exit(2);
}
