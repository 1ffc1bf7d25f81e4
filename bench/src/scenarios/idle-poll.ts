/**
 * What one idle Chat API v3 re-poll costs the server (issue 16, target 3: no store or Redis work,
 * ≤ 150 µs of CPU). N sessions are started, then each long-polls in a loop with the server's hold
 * cut to `holdMs` (LONG_POLL_MS), so the node answers "nothing new" many times a second: its CPU
 * and counted work over the window, divided by the polls answered, is the cost of one idle re-poll
 * (HTTP, authentication, the hold and its timer, the empty answer). With a base build, the builds
 * alternate on fresh servers (A B, B A, …).
 */
import { CpuWatch } from '../lib/sys.js';
import { keepAliveAgent, formEncode, request } from '../lib/http.js';
import { sleep } from '../lib/util.js';
import { API_KEY, V3_PREFIX, type Running } from '../systems.js';
import { median, orderOfPair, type Variant } from './ab.js';

export interface IdlePollConfig {
  pairs: number;
  sessions: number;
  holdMs: number;
  warmupMs: number;
  measureMs: number;
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

export async function measureIdlePolls(variants: Variant[], c: IdlePollConfig, log: (s: string) => void): Promise<IdlePollResult> {
  const samples: IdlePollSample[] = [];
  log(`idle v3 re-poll: ${variants.map((v) => v.label).join(' vs ')}, ${c.pairs} pairs, ${c.sessions} sessions, hold ${c.holdMs} ms`);
  for (let p = 0; p < c.pairs; p++) {
    for (const v of orderOfPair(variants, p)) {
      let sys: Running | null = null;
      let stopping = false;
      const loops: Promise<void>[] = [];
      try {
        sys = await v.start();
        const agent = keepAliveAgent();
        const counter = { n: 0, failed: null as string | null };
        for (let i = 0; i < c.sessions; i++) {
          const form = formEncode({ operationId: `idle-start-${i}`, data: { nickname: `idle${i}`, firstName: 'Idle', lastName: String(i), email: `idle${i}@example.com`, subject: 'idle' } });
          const r = await request(agent, 'POST', `${sys.urls[0]}${V3_PREFIX}`, { headers: { 'x-api-key': API_KEY }, form, timeoutMs: 30_000 });
          if (r.status !== 200) throw new Error(`start answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
          const token = r.body.data.clientToken as string;
          const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sessionId: string };
          loops.push(pollLoop(sys, token, claims.sessionId, agent, counter, () => stopping));
        }
        await sleep(c.warmupMs);
        const work0 = (await sys.workCounters?.().catch(() => null)) ?? null;
        const n0 = counter.n;
        const t0 = Date.now();
        const cpu = new CpuWatch({ server: sys.procs.map((pr) => pr.pid) });
        await sleep(c.measureMs);
        const usage = cpu.stop();
        const polls = counter.n - n0;
        const secs = (Date.now() - t0) / 1000;
        const work1 = (await sys.workCounters?.().catch(() => null)) ?? null;
        if (counter.failed) throw new Error(counter.failed);
        const per = (key: string) => (work0 && work1 && polls > 0 ? Math.round((((work1[key] ?? 0) - (work0[key] ?? 0)) / polls) * 1000) / 1000 : null);
        const redis = work0 && work1 ? Object.keys(work1).filter((k) => k.startsWith('redis:')) : [];
        const s: IdlePollSample = {
          variant: v.key,
          pair: p + 1,
          pollsPerSecond: Math.round(polls / secs),
          serverCores: usage.serverCores ?? NaN,
          foreignCores: usage.foreignCores ?? NaN,
          cpuUsPerPoll: polls > 0 ? Math.round(((usage.serverCores ?? 0) * 1e6) / (polls / secs)) : null,
          statementsPerPoll: per('store:statements'),
          redisPerPoll: work0 && work1 && polls > 0 ? redis.reduce((sum, k) => sum + (work1[k] ?? 0) - (work0[k] ?? 0), 0) / polls : null,
        };
        samples.push(s);
        log(
          `  pair ${p + 1} ${v.key}: ${s.pollsPerSecond} polls/s, server ${s.serverCores} cores = ${s.cpuUsPerPoll} µs per idle re-poll, statements ${s.statementsPerPoll ?? 'n/a'}, Redis ${s.redisPerPoll ?? 'n/a'} per poll, foreign ${s.foreignCores}`,
        );
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log(`  pair ${p + 1} ${v.key} failed: ${error}`);
        samples.push({ variant: v.key, pair: p + 1, pollsPerSecond: 0, serverCores: NaN, foreignCores: NaN, cpuUsPerPoll: null, statementsPerPoll: null, redisPerPoll: null, error });
      } finally {
        stopping = true;
        await sys?.stop().catch(() => undefined);
        await Promise.allSettled(loops);
      }
    }
  }
  const medians: Record<string, number | null> = {};
  for (const v of variants) medians[v.key] = median(samples.filter((s) => s.variant === v.key && s.cpuUsPerPoll != null).map((s) => s.cpuUsPerPoll!));
  const [a, b] = variants.map((v) => medians[v.key]);
  return {
    config: c,
    variants: variants.map((v) => ({ key: v.key, label: v.label })),
    samples,
    medians,
    ratio: a != null && b != null && b > 0 ? Math.round((a / b) * 1000) / 1000 : null,
  };
}

export function renderIdlePoll(r: IdlePollResult | null): string[] {
  if (!r) return [];
  const out = [
    '## Idle v3 re-poll: server CPU per answered poll',
    '',
    `${r.config.sessions} sessions long-polling in a loop with the hold cut to ${r.config.holdMs} ms (LONG_POLL_MS), ${r.config.warmupMs / 1000} s warm-up, ${r.config.measureMs / 1000} s measured, ${r.config.pairs} pairs alternating. Target (issue 16): no statement, no Redis command, ≤ 150 µs.`,
    '',
  ];
  if (r.ratio != null) out.push(`**${r.variants[0]!.key} / ${r.variants[1]!.key}: ${r.ratio}** (medians ${r.variants.map((v) => `${v.key} ${r.medians[v.key]} µs`).join(', ')})`, '');
  out.push('| build | pair | polls/s | server cores | µs per re-poll | statements per poll | Redis per poll | foreign cores |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.samples)
    out.push(
      `| ${s.variant} | ${s.pair} | ${s.pollsPerSecond} | ${s.serverCores} | ${s.cpuUsPerPoll ?? (s.error ? `failed: ${s.error}` : 'n/a')} | ${s.statementsPerPoll ?? 'n/a'} | ${s.redisPerPoll ?? 'n/a'} | ${s.foreignCores} |`,
    );
  out.push('');
  return out;
}
