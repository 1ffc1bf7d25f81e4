/**
 * `--only=floor`: what the network moves of a v3 exchange cost on this machine, on a server that does
 * nothing else (servers/v3-floor.ts): the same sessions, agents and rates as the A/B, the same
 * requests, responses and frames per exchange. Parley's CPU per exchange over this figure is the
 * share of Parley's own work; a target below this figure cannot be reached by any server speaking
 * the protocol with Node's HTTP and `ws` on this machine.
 */
import WebSocket from 'ws';
import { join } from 'node:path';
import { keepAliveAgent, request } from '../lib/http.js';
import { Hist, round } from '../lib/hist.js';
import { benchRoot, startServer } from '../lib/proc.js';
import { CpuWatch } from '../lib/sys.js';
import { freePort, sleep } from '../lib/util.js';

export interface FloorConfig {
  sessions: number;
  perAgent: number;
  rates: number[];
  runs: number;
  warmupMs: number;
  measureMs: number;
}

export interface FloorRun {
  rate: number;
  run: number;
  achievedRate: number;
  serverCores: number;
  foreignCores: number;
  cpuPerExchangeMs: number;
  /** Requests the server answered and frames it sent, per exchange (counted by the generator). */
  requestsPerExchange: number;
  framesPerExchange: number;
  oneWayP50Ms: number;
  oneWayP99Ms: number;
}

export interface FloorResult {
  config: FloorConfig;
  runs: FloorRun[];
  /** Median CPU per exchange per rate. */
  medians: { rate: number; cpuPerExchangeMs: number }[];
}

export async function runFloor(config: FloorConfig, logDir: string, log: (s: string) => void): Promise<FloorResult> {
  const runs: FloorRun[] = [];
  for (let run = 1; run <= config.runs; run++) {
    for (const rate of config.rates) {
      const port = await freePort();
      const proc = await startServer({
        name: 'v3-floor',
        nodeArgs: ['--import', 'tsx', join(benchRoot, 'src/servers/v3-floor.ts')],
        env: { PORT: String(port) },
        logFile: join(logDir, 'v3-floor.log'),
        readyUrl: `http://127.0.0.1:${port}/health`,
        cwd: benchRoot,
      });
      try {
        const r = await measure(`http://127.0.0.1:${port}`, proc.pid, rate, config);
        runs.push({ rate, run, ...r });
        log(
          `  floor run ${run} ${rate}/s: achieved ${r.achievedRate}/s, server ${r.serverCores} cores = ${r.cpuPerExchangeMs} ms/exchange, ${r.requestsPerExchange} requests + ${r.framesPerExchange} frames per exchange, one-way p99 ${r.oneWayP99Ms} ms, foreign ${r.foreignCores}`,
        );
      } finally {
        await proc.stop();
      }
    }
  }
  const medians = config.rates.map((rate) => {
    const xs = runs
      .filter((r) => r.rate === rate)
      .map((r) => r.cpuPerExchangeMs)
      .sort((a, b) => a - b);
    return { rate, cpuPerExchangeMs: xs[Math.floor(xs.length / 2)] ?? NaN };
  });
  return { config, runs, medians };
}

async function measure(base: string, pid: number, rate: number, config: FloorConfig): Promise<Omit<FloorRun, 'rate' | 'run'>> {
  const agent = keepAliveAgent();
  const ids = Array.from({ length: config.sessions }, (_, i) => `s${i}`);
  let stopping = false;
  let requests = 0;
  let frames = 0;
  let done = 0;
  let measuring = false;
  const oneWay = new Hist();
  const sentAt = new Map<string, number>();
  const inFlight = new Set<string>();

  const sockets: WebSocket[] = [];
  for (let a = 0; a * config.perAgent < ids.length; a++) {
    const mine = ids.slice(a * config.perAgent, (a + 1) * config.perAgent);
    const ws = new WebSocket(`${base.replace('http', 'ws')}/agent`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ claim: mine })));
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { s: string; text: string; from: string };
      if (measuring) frames++;
      if (m.from !== 'customer') return;
      const t = sentAt.get(m.text);
      if (t !== undefined && measuring) oneWay.record(performance.now() - t);
      const answer = `a${m.text.slice(1)}`;
      sentAt.set(answer, performance.now());
      void request(agent, 'POST', `${base}/reply?s=${m.s}`, { json: { text: answer } })
        .then(() => measuring && requests++)
        .catch(() => undefined);
    });
    sockets.push(ws);
  }

  const polls = ids.map(async (id) => {
    while (!stopping) {
      const r = await request<{ messages: { text: string; from: string }[] }>(agent, 'GET', `${base}/poll?s=${id}`).catch(() => null);
      if (measuring) requests++;
      for (const m of r?.body?.messages ?? []) {
        if (m.from !== 'agent') continue;
        const t = sentAt.get(m.text);
        sentAt.delete(m.text);
        sentAt.delete(`q${m.text.slice(1)}`);
        if (t !== undefined && measuring) oneWay.record(performance.now() - t);
        inFlight.delete(id);
        if (measuring) done++;
      }
    }
  });
  await sleep(200);

  let seq = 0;
  let next = 0;
  const send = () => {
    const id = ids[next++ % ids.length]!;
    if (inFlight.has(id)) return;
    inFlight.add(id);
    const text = `q ${id} ${seq++}`;
    sentAt.set(text, performance.now());
    void request(agent, 'POST', `${base}/send?s=${id}`, { json: { text } })
      .then(() => measuring && requests++)
      .catch(() => undefined);
  };
  const started = performance.now();
  let sent = 0;
  const ticker = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      send();
      sent++;
    }
  }, 5);
  await sleep(config.warmupMs);
  measuring = true;
  const cpu = new CpuWatch({ server: [pid] });
  const t0 = performance.now();
  await sleep(config.measureMs);
  const c = cpu.stop();
  measuring = false;
  const secs = (performance.now() - t0) / 1000;
  clearInterval(ticker);
  stopping = true;
  for (const ws of sockets) ws.terminate();
  agent.destroy();
  await Promise.race([Promise.allSettled(polls), sleep(1000)]);
  const achieved = done / secs;
  return {
    achievedRate: round(achieved, 1),
    serverCores: c.serverCores!,
    foreignCores: c.foreignCores!,
    cpuPerExchangeMs: achieved > 0 ? round((c.serverCores! * 1000) / achieved, 3) : NaN,
    requestsPerExchange: done ? round(requests / done, 2) : NaN,
    framesPerExchange: done ? round(frames / done, 2) : NaN,
    oneWayP50Ms: round(oneWay.quantile(0.5), 2),
    oneWayP99Ms: round(oneWay.quantile(0.99), 2),
  };
}

export function renderFloor(r: FloorResult | null | undefined): string[] {
  if (!r) return [];
  const c = r.config;
  const out = [
    '## The floor of a v3 exchange on this machine',
    '',
    `A bare \`node:http\` + \`ws\` server (bench/src/servers/v3-floor.ts) making the network moves of one v3 exchange and nothing else: the customer's send, its poll answered twice (its own text, then the reply) and polled again, a frame to the agent for each message, the agent's reply. ${c.sessions} sessions, ${c.perAgent} per agent, ${c.warmupMs / 1000} s warm-up, ${c.measureMs / 1000} s measured, ${c.runs} run(s) per rate. Parley's CPU per exchange at the same rate, over this figure, is the share of Parley's own work.`,
    '',
    `Medians: ${r.medians.map((m) => `${m.rate}/s ${m.cpuPerExchangeMs} ms`).join(', ')}`,
    '',
    '| rate | run | achieved/s | server cores | ms per exchange | requests per exchange | frames per exchange | one-way p50 / p99 | foreign cores |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const x of r.runs)
    out.push(
      `| ${x.rate} | ${x.run} | ${x.achievedRate} | ${x.serverCores} | ${x.cpuPerExchangeMs} | ${x.requestsPerExchange} | ${x.framesPerExchange} | ${x.oneWayP50Ms} / ${x.oneWayP99Ms} ms | ${x.foreignCores} |`,
    );
  out.push('');
  return out;
}
