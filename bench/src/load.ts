/**
 * One load setup against a running system: customer and agent worker processes, N sessions,
 * agents holding `perAgent` chats each, then any number of timed runs on those connections.
 */
import { join } from 'node:path';
import { Hist, type Summary } from './lib/hist.js';
import { benchRoot, startWorker, type Worker } from './lib/proc.js';
import { CpuWatch, loadAvg, pidsNamed, ProcessSetCpu } from './lib/sys.js';
import { chunk, nowUs, withTimeout } from './lib/util.js';
import type { AgentSpec, AgentStats, CustomerStats, RunPlan, SessionRef } from './clients/types.js';
import { API_KEY, V3_PREFIX, type Running } from './systems.js';
import { workPerExchange, type WorkTotals } from './lib/work-scrape.js';

const WORKER = join(benchRoot, 'src/worker.ts');

export interface LoadOptions {
  sessions: number;
  perAgent: number;
  customerWorkers: number;
  agentWorkers: number;
  logDir: string;
  tag: string;
  log?: (s: string) => void;
}

export interface RunResult {
  /** Target rate: customer messages per second (each is answered by the agent: 2 messages delivered). */
  targetRate: number;
  /** Answered exchanges per second in the measuring window. */
  achievedRate: number;
  measureSeconds: number;
  customerToAgent: Summary;
  agentToCustomer: Summary;
  roundTrip: Summary;
  /** Both directions pooled: the one-way delivery latency of any message. */
  oneWay: Summary;
  sendAck: Summary;
  generatorLag: Summary;
  sent: number;
  measuredSent: number;
  answered: number;
  lost: number;
  errors: { send: number; poll: number; reply: number; samples: string[] };
  cpu: Record<string, number>;
  serverRssMb: number[];
  loadAvg: number[];
  /** PostgreSQL only: index/sequential scans, row inserts and updates per second on the run's schema (statistics lag ~0.5 s). */
  db?: { scansPerSecond: number; insertsPerSecond: number; updatesPerSecond: number };
  /** Parley: counted work per exchange in the window (`store:transactions`, `store:statements`, `store:round_trips`, `redis:<COMMAND>`), from /metrics. */
  work?: Record<string, number>;
}

export interface Setup {
  sessions: SessionRef[];
  agents: number;
  setupSeconds: number;
  setupErrors: string[];
  run(o: { intervalMs: number; warmupMs: number; measureMs: number; graceMs: number }): Promise<RunResult>;
  close(endChats: boolean): Promise<void>;
}

export async function setUpLoad(sys: Running, o: LoadOptions): Promise<Setup> {
  const t0 = Date.now();
  const customers: Worker[] = [];
  const agents: Worker[] = [];
  const close = async (endChats: boolean) => {
    await Promise.all(agents.map((w) => w.call('teardown', { endChats }, 150_000).catch(() => undefined)));
    await Promise.all(customers.map((w) => w.call('teardown', {}, 30_000).catch(() => undefined)));
    await Promise.all([...agents, ...customers].map((w) => w.proc.stop(5000)));
  };
  try {
    for (let i = 0; i < o.customerWorkers; i++) customers.push(startWorker(`customers-${i + 1}`, WORKER, join(o.logDir, `${o.tag}-customers-${i + 1}.log`), ['customer']));
    for (let i = 0; i < o.agentWorkers; i++) agents.push(startWorker(`agents-${i + 1}`, WORKER, join(o.logDir, `${o.tag}-agents-${i + 1}.log`), ['agent']));
    // Agent accounts first: creating them (scrypt) is slow, and slower still once thousands of polls wait.
    const agentCount = Math.ceil(o.sessions / o.perAgent);
    const tokens = sys.agentTokens ? await sys.agentTokens(agentCount) : [];
    if (tokens.length) o.log?.(`  ${o.tag}: ${tokens.length} agent tokens ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const per = Math.ceil(o.sessions / o.customerWorkers);
    const setupErrors: string[] = [];
    const started = await Promise.all(
      customers.map((w, i) =>
        w.call<{ sessions: SessionRef[]; failed: number; errors: string[] }>(
          'setup',
          { system: sys.system, urls: sys.urls, count: Math.max(0, Math.min(per, o.sessions - i * per)), offset: i * per, apiKey: API_KEY, prefix: V3_PREFIX, startConcurrency: 24 },
          600_000,
        ),
      ),
    );
    const sessions = started.flatMap((s) => s.sessions);
    const say = (what: string) => o.log?.(`  ${o.tag}: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    say(`${sessions.length} sessions started`);
    for (const s of started) setupErrors.push(...s.errors);
    const failedStarts = started.reduce((a, s) => a + s.failed, 0);
    if (failedStarts > o.sessions * 0.01) throw new Error(`${failedStarts} of ${o.sessions} sessions failed to start: ${setupErrors.slice(0, 3).join('; ')}`);
    // Agents: consecutive groups of `perAgent` sessions; agent k connects to node k mod nodes.
    const groups: SessionRef[][] = [];
    for (let i = 0; i < sessions.length; i += o.perAgent) groups.push(sessions.slice(i, i + o.perAgent));
    const specs: AgentSpec[] = groups.map((g, k) => ({ node: k % sys.urls.length, sessions: g, ...(tokens[k] ? { token: tokens[k] } : {}) }));
    const byWorker = chunk(specs, agents.length);
    const connected = await Promise.all(
      agents.map((w, i) => w.call<{ connected: number; failed: number; errors: string[] }>('setup', { system: sys.system, urls: sys.urls, agents: byWorker[i], concurrency: 32 }, 900_000)),
    );
    for (const c of connected) setupErrors.push(...c.errors);
    say(`${connected.reduce((a, c) => a + c.connected, 0)} agent connections ready`);
    const failedAgents = connected.reduce((a, c) => a + c.failed, 0);
    if (failedAgents > groups.length * 0.01) throw new Error(`${failedAgents} of ${groups.length} agent connections failed: ${setupErrors.slice(0, 3).join('; ')}`);
    const serverPids = sys.procs.map((p) => p.pid);
    const workerPids = [...customers, ...agents].map((w) => w.proc.pid);
    return {
      sessions,
      agents: groups.length,
      setupSeconds: Math.round((Date.now() - t0) / 100) / 10,
      setupErrors: setupErrors.slice(0, 8),
      async run(r) {
        const start = nowUs() + 300_000;
        const plan: RunPlan = {
          sendFromUs: start,
          measureFromUs: start + r.warmupMs * 1000,
          measureUntilUs: start + (r.warmupMs + r.measureMs) * 1000,
          sendUntilUs: start + (r.warmupMs + r.measureMs) * 1000,
          intervalMs: r.intervalMs,
          graceMs: r.graceMs,
        };
        await Promise.all(agents.map((w) => w.call('measure', { fromUs: plan.measureFromUs, untilUs: plan.measureUntilUs })));
        // PostgreSQL: this system's backends, listed again every second (the pool closes idle clients
        // and opens new ones), and every PostgreSQL process of the machine apart.
        const backends = sys.pgBackendPids ? new ProcessSetCpu(() => sys.pgBackendPids!()) : null;
        const pgAll = backends ? new ProcessSetCpu(async () => pidsNamed('postgres')) : null;
        /** Samples of the backends, one after the other: at the window's start, every second in it, at its end. */
        let backendSampling: Promise<void> = Promise.resolve();
        const sampleBackends = () => {
          if (backends && pgAll) backendSampling = backendSampling.then(() => Promise.all([backends.sample(), pgAll.sample()])).then(() => undefined);
        };
        let ticks = 0;
        const rss: number[] = [];
        let cpu: CpuWatch | null = null;
        let cpuResult: Record<string, number> = {};
        const stopCpu = () => {
          cpuResult = cpu!.stop();
          sampleBackends();
          if (backends && pgAll)
            backendSampling = backendSampling.then(() => {
              const postgresCores = backends.cores();
              // The backends are this system's work, not foreign.
              Object.assign(cpuResult, { postgresCores, postgresAllCores: pgAll.cores(), foreignCores: Math.max(0, Math.round(((cpuResult.foreignCores ?? 0) - postgresCores) * 100) / 100) });
            });
        };
        const sampler = setInterval(() => {
          const now = nowUs();
          if (!cpu && now >= plan.measureFromUs) {
            cpu = new CpuWatch({ server: serverPids, generators: workerPids, bench: [process.pid] });
            sampleBackends();
          }
          if (cpu && !Object.keys(cpuResult).length && ++ticks % 4 === 0) sampleBackends();
          if (cpu && now >= plan.measureUntilUs && !Object.keys(cpuResult).length) stopCpu();
          if (now >= plan.measureFromUs && now < plan.measureUntilUs) rss.push(sys.procs.reduce((a, p) => a + p.rssKb(), 0) / 1024);
        }, 250);
        let dbStart: Promise<{ reads: number; inserts: number; updates: number } | null> = Promise.resolve(null);
        let dbEnd: Promise<{ reads: number; inserts: number; updates: number } | null> = Promise.resolve(null);
        if (sys.dbCounters) {
          const at = (us: number) => new Promise<void>((res) => setTimeout(res, Math.max(0, (us - nowUs()) / 1000)));
          dbStart = at(plan.measureFromUs).then(() => sys.dbCounters!().catch(() => null));
          dbEnd = at(plan.measureUntilUs).then(() => sys.dbCounters!().catch(() => null));
        }
        let workStart: Promise<WorkTotals | null> = Promise.resolve(null);
        let workEnd: Promise<WorkTotals | null> = Promise.resolve(null);
        if (sys.workCounters) {
          const at = (us: number) => new Promise<void>((res) => setTimeout(res, Math.max(0, (us - nowUs()) / 1000)));
          workStart = at(plan.measureFromUs).then(() => sys.workCounters!().catch(() => null));
          workEnd = at(plan.measureUntilUs).then(() => sys.workCounters!().catch(() => null));
        }
        let cstats: CustomerStats[];
        try {
          cstats = await Promise.all(customers.map((w) => w.call<CustomerStats>('run', plan, r.warmupMs + r.measureMs + r.graceMs + 60_000)));
        } finally {
          clearInterval(sampler);
        }
        if (cpu && !Object.keys(cpuResult).length) stopCpu();
        await backendSampling;
        const astats = await Promise.all(agents.map((w) => w.call<AgentStats>('collect')));
        const [d0, d1] = await Promise.all([dbStart, dbEnd]);
        const [w0, w1] = await Promise.all([workStart, workEnd]);
        const work = w0 && w1 ? workPerExchange(w0, w1) : null;
        const db =
          d0 && d1
            ? {
                scansPerSecond: round1((d1.reads - d0.reads) / (r.measureMs / 1000)),
                insertsPerSecond: round1((d1.inserts - d0.inserts) / (r.measureMs / 1000)),
                updatesPerSecond: round1((d1.updates - d0.updates) / (r.measureMs / 1000)),
              }
            : undefined;
        const rtt = new Hist();
        const a2c = new Hist();
        const ack = new Hist();
        const lag = new Hist();
        const c2a = new Hist();
        for (const c of cstats) {
          rtt.merge(c.rtt);
          a2c.merge(c.agentToCustomer);
          ack.merge(c.ack);
          lag.merge(c.lag);
        }
        for (const a of astats) c2a.merge(a.customerToAgent);
        const oneWay = new Hist().merge(c2a).merge(a2c);
        const answered = cstats.reduce((a, c) => a + c.measuredReplies, 0);
        const seconds = r.measureMs / 1000;
        return {
          targetRate: round1((sessions.length * 1000) / r.intervalMs),
          achievedRate: round1(answered / seconds),
          measureSeconds: seconds,
          customerToAgent: c2a.summary(),
          agentToCustomer: a2c.summary(),
          roundTrip: rtt.summary(),
          oneWay: oneWay.summary(),
          sendAck: ack.summary(),
          generatorLag: lag.summary(),
          sent: cstats.reduce((a, c) => a + c.sent, 0),
          measuredSent: cstats.reduce((a, c) => a + c.measuredSent, 0),
          answered,
          lost: cstats.reduce((a, c) => a + c.lost, 0),
          errors: {
            send: cstats.reduce((a, c) => a + c.sendErrors, 0),
            poll: cstats.reduce((a, c) => a + c.pollErrors, 0),
            reply: astats.reduce((a, c) => a + c.replyErrors, 0),
            samples: [...cstats.flatMap((c) => c.errorSamples), ...astats.flatMap((a) => a.errorSamples)].slice(0, 8),
          },
          cpu: cpuResult,
          serverRssMb: rss.length ? [Math.round(Math.min(...rss)), Math.round(Math.max(...rss))] : [],
          loadAvg: loadAvg(),
          ...(db ? { db } : {}),
          ...(work ? { work } : {}),
        };
      },
      close: (endChats) => withTimeout(close(endChats), 300_000, 'load teardown').catch(() => undefined),
    };
  } catch (err) {
    await withTimeout(close(false), 60_000, 'teardown after failure').catch(() => undefined);
    throw err;
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;
