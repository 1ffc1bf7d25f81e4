/**
 * What one idle Chat API v3 re-poll costs the server (issue 16, target 3: no store or Redis work,
 * ≤ 150 µs of CPU). N sessions are started, then each long-polls in a loop with the server's hold
 * cut to `holdMs` (LONG_POLL_MS), so the node answers "nothing new" many times a second: its CPU
 * and counted work over the window, divided by the polls answered, is the cost of one idle re-poll
 * (HTTP, authentication, the hold and its timer, the empty answer). With a base build, the builds
 * alternate on fresh servers (A B, B A, …), or with `concurrent` run side by side in one window
 * each pair, so that a change of the machine's state between windows falls on both alike: each
 * pair's ratio then comes from one window.
 */
import { CpuWatch } from '../lib/sys.js';
import { keepAliveAgent, formEncode, request } from '../lib/http.js';
import { sleep } from '../lib/util.js';
import { API_KEY, V3_PREFIX, type Running } from '../systems.js';
import { median, perPair, windowsOfPair, type Variant } from './ab.js';

export interface IdlePollConfig {
  pairs: number;
  sessions: number;
  holdMs: number;
  warmupMs: number;
  measureMs: number;
  /** Both builds at once in each pair's window (each with its own sessions) instead of one after the other. */
  concurrent?: boolean;
}

export interface IdlePollSample {
  variant: string;
  pair: number;
  pollsPerSecond: number;
  serverCores: number;
  foreignCores: number;
  /** Server CPU per answered idle re-poll. */
  cpuUsPerPoll: number | null;
  /** Store statements and Redis commands per re-poll (null: the build exports no counters). */
  statementsPerPoll: number | null;
  redisPerPoll: number | null;
  error?: string;
}

export interface IdlePollResult {
  config: IdlePollConfig;
  variants: { key: string; label: string }[];
  samples: IdlePollSample[];
  medians: Record<string, number | null>;
  /** First variant / second (this tree / base). */
  ratio: number | null;
  /** Concurrent runs: each pair's first variant / second, from one window. */
  pairRatios?: number[];
  /** Their median: the figure of a concurrent run. */
  pairRatioMedian?: number | null;
}

/** Polls one session until `stop` says so; counts the answers. */
async function pollLoop(sys: Running, token: string, sessionId: string, agent: ReturnType<typeof keepAliveAgent>, counter: { n: number; failed: string | null }, stop: () => boolean) {
  const headers = { 'x-api-key': API_KEY, 'x-nexus-client-key': token };
  while (!stop()) {
    const r = await request(agent, 'GET', `${sys.urls[0]}${V3_PREFIX}/${sessionId}/messages?operationId=idle`, { headers, timeoutMs: 20_000 });
    if (r.status !== 200) {
      counter.failed = `poll answered ${r.status}`;
      return;
    }
    counter.n++;
  }
}

/** A build serving `c.sessions` sessions that long-poll in a loop, counting the answers. */
async function pollingServer(v: Variant, c: IdlePollConfig, stop: () => boolean) {
  const sys = await v.start();
  const agent = keepAliveAgent();
  const counter = { n: 0, failed: null as string | null };
  const loops: Promise<void>[] = [];
  try {
    for (let i = 0; i < c.sessions; i++) {
      const form = formEncode({ operationId: `idle-start-${i}`, data: { nickname: `idle${i}`, firstName: 'Idle', lastName: String(i), email: `idle${i}@example.com`, subject: 'idle' } });
      const r = await request(agent, 'POST', `${sys.urls[0]}${V3_PREFIX}`, { headers: { 'x-api-key': API_KEY }, form, timeoutMs: 30_000 });
      if (r.status !== 200) throw new Error(`start answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
      const token = r.body.data.clientToken as string;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sessionId: string };
      loops.push(pollLoop(sys, token, claims.sessionId, agent, counter, stop));
    }
  } catch (err) {
    await sys.stop().catch(() => undefined);
    throw err;
  }
  return { v, sys, counter, loops };
}

export async function measureIdlePolls(variants: Variant[], c: IdlePollConfig, log: (s: string) => void): Promise<IdlePollResult> {
  const samples: IdlePollSample[] = [];
  const concurrent = Boolean(c.concurrent) && variants.length > 1;
  log(`idle v3 re-poll: ${variants.map((v) => v.label).join(' vs ')}, ${c.pairs} pairs ${concurrent ? 'side by side' : 'alternating'}, ${c.sessions} sessions each, hold ${c.holdMs} ms`);
  for (let p = 0; p < c.pairs; p++) {
    for (const group of windowsOfPair(variants, p, concurrent)) {
      let stopping = false;
      const running: Awaited<ReturnType<typeof pollingServer>>[] = [];
      try {
        for (const v of group) running.push(await pollingServer(v, c, () => stopping));
        await sleep(c.warmupMs);
        const work0 = await Promise.all(running.map((r) => r.sys.workCounters?.().catch(() => null) ?? null));
        const n0 = running.map((r) => r.counter.n);
        const t0 = Date.now();
        const cpu = new CpuWatch(Object.fromEntries(running.map((r) => [r.v.key, r.sys.procs.map((pr) => pr.pid)])));
        await sleep(c.measureMs);
        const usage = cpu.stop();
        const polls = running.map((r, i) => r.counter.n - n0[i]!);
        const secs = (Date.now() - t0) / 1000;
        const work1 = await Promise.all(running.map((r) => r.sys.workCounters?.().catch(() => null) ?? null));
        for (const r of running) if (r.counter.failed) throw new Error(`${r.v.key}: ${r.counter.failed}`);
        running.forEach((r, i) => {
          const [w0, w1, n] = [work0[i], work1[i], polls[i]!];
          const per = (key: string) => (w0 && w1 && n > 0 ? Math.round((((w1[key] ?? 0) - (w0[key] ?? 0)) / n) * 1000) / 1000 : null);
          const redis = w0 && w1 ? Object.keys(w1).filter((k) => k.startsWith('redis:')) : [];
          const cores = usage[`${r.v.key}Cores`] ?? NaN;
          const s: IdlePollSample = {
            variant: r.v.key,
            pair: p + 1,
            pollsPerSecond: Math.round(n / secs),
            serverCores: cores,
            foreignCores: usage.foreignCores ?? NaN,
            cpuUsPerPoll: n > 0 ? Math.round((cores * 1e6) / (n / secs)) : null,
            statementsPerPoll: per('store:statements'),
            redisPerPoll: w0 && w1 && n > 0 ? redis.reduce((sum, k) => sum + (w1[k] ?? 0) - (w0[k] ?? 0), 0) / n : null,
          };
          samples.push(s);
          log(
            `  pair ${p + 1} ${r.v.key}: ${s.pollsPerSecond} polls/s, server ${s.serverCores} cores = ${s.cpuUsPerPoll} µs per idle re-poll, statements ${s.statementsPerPoll ?? 'n/a'}, Redis ${s.redisPerPoll ?? 'n/a'} per poll, foreign ${s.foreignCores}`,
          );
        });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log(`  pair ${p + 1} ${group.map((v) => v.key).join('+')} failed: ${error}`);
        for (const v of group)
          samples.push({ variant: v.key, pair: p + 1, pollsPerSecond: 0, serverCores: NaN, foreignCores: NaN, cpuUsPerPoll: null, statementsPerPoll: null, redisPerPoll: null, error });
      } finally {
        stopping = true;
        await Promise.all(running.map((r) => r.sys.stop().catch(() => undefined)));
        await Promise.allSettled(running.flatMap((r) => r.loops));
      }
    }
  }
  const medians: Record<string, number | null> = {};
  for (const v of variants) medians[v.key] = median(samples.filter((s) => s.variant === v.key && s.cpuUsPerPoll != null).map((s) => s.cpuUsPerPoll!));
  const [a, b] = variants.map((v) => medians[v.key]);
  const result: IdlePollResult = {
    config: c,
    variants: variants.map((v) => ({ key: v.key, label: v.label })),
    samples,
    medians,
    ratio: a != null && b != null && b > 0 ? Math.round((a / b) * 1000) / 1000 : null,
  };
  if (concurrent) {
    result.pairRatios = pairRatios(samples, variants[0]!.key, variants[1]!.key);
    result.pairRatioMedian = median(result.pairRatios);
  }
  return result;
}

/** Per pair, `first`'s CPU per poll over `second`'s (pairs where both were measured). */
export function pairRatios(samples: IdlePollSample[], first: string, second: string): number[] {
  return perPair(
    samples,
    first,
    second,
    (s) => s.cpuUsPerPoll,
    (x, y) => (y > 0 ? Math.round((x / y) * 1000) / 1000 : null),
  );
}

export function renderIdlePoll(r: IdlePollResult | null): string[] {
  if (!r) return [];
  const out = [
    '## Idle v3 re-poll: server CPU per answered poll',
    '',
    `${r.config.sessions} sessions long-polling in a loop with the hold cut to ${r.config.holdMs} ms (LONG_POLL_MS), ${r.config.warmupMs / 1000} s warm-up, ${r.config.measureMs / 1000} s measured, ${r.config.pairs} pairs ${r.pairRatios ? 'side by side' : 'alternating'}. Target (issue 16): no statement, no Redis command, ≤ 150 µs.`,
    '',
  ];
  if (r.pairRatios) out.push(`Side by side (each pair's builds in one window): **${r.variants[0]!.key} / ${r.variants[1]!.key} per pair ${r.pairRatios.join(', ')}, median ${r.pairRatioMedian}**`, '');
  if (r.ratio != null) out.push(`**${r.variants[0]!.key} / ${r.variants[1]!.key}: ${r.ratio}** (medians ${r.variants.map((v) => `${v.key} ${r.medians[v.key]} µs`).join(', ')})`, '');
  out.push('| build | pair | polls/s | server cores | µs per re-poll | statements per poll | Redis per poll | foreign cores |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.samples)
    out.push(
      `| ${s.variant} | ${s.pair} | ${s.pollsPerSecond} | ${s.serverCores} | ${s.cpuUsPerPoll ?? (s.error ? `failed: ${s.error}` : 'n/a')} | ${s.statementsPerPoll ?? 'n/a'} | ${s.redisPerPoll ?? 'n/a'} | ${s.foreignCores} |`,
    );
  out.push('');
  return out;
}
