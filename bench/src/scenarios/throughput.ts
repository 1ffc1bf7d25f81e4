/**
 * Figure 2: the highest message rate a system persists and delivers with one-way p99 <= 100 ms:
 * a fixed pool of sessions, the rate doubled (then refined) until p99 passes 100 ms, messages go
 * unanswered, or the target rate is not reached.
 */
import { setUpLoad, type RunResult } from '../load.js';
import type { Running } from '../systems.js';

export interface ThroughputConfig {
  pool: number;
  perAgent: number;
  rates: number[];
  warmupMs: number;
  measureMs: number;
  customerWorkers: number;
  agentWorkers: number;
  p99LimitMs: number;
}

export interface Step extends RunResult {
  pass: boolean;
  why: string;
}

export interface ThroughputResult {
  system: string;
  label: string;
  nodes: number;
  pool: number;
  steps: Step[];
  /** Highest passing achieved rate of customer messages answered per second (x2 = messages delivered per second). */
  maxExchangesPerSecond: number | null;
  maxMessagesPerSecond: number | null;
  /** Server CPU time per exchange at the highest passing step (ms): the cost of one message and its answer, robust to a busy machine. */
  cpuMsPerExchange: number | null;
  /** True when even the highest configured rate passed: the max is a lower bound. */
  openEnded: boolean;
  stoppedBecause: string;
  error?: string;
}

export function judge(r: RunResult, limitMs: number): { pass: boolean; why: string } {
  const problems: string[] = [];
  if (!(r.oneWay.p99 <= limitMs)) problems.push(`one-way p99 ${r.oneWay.p99} ms > ${limitMs} ms`);
  const bad = r.lost + r.errors.send + r.errors.reply;
  if (bad > Math.max(1, r.measuredSent * 0.001)) problems.push(`${bad} of ${r.measuredSent} messages unanswered or failed`);
  if (r.achievedRate < r.targetRate * 0.9) problems.push(`achieved ${r.achievedRate}/s of ${r.targetRate}/s`);
  if (r.generatorLag.p99 > 50) problems.push(`load generator ${r.generatorLag.p99} ms late (p99): the generator, not only the server, is saturated`);
  return { pass: problems.length === 0, why: problems.join('; ') || 'ok' };
}

export async function throughputRamp(key: string, sys: Running, c: ThroughputConfig, logDir: string, log: (s: string) => void): Promise<ThroughputResult> {
  const out: ThroughputResult = { system: key, label: sys.label, nodes: sys.urls.length, pool: c.pool, steps: [], maxExchangesPerSecond: null, maxMessagesPerSecond: null, cpuMsPerExchange: null, openEnded: false, stoppedBecause: '' };
  log(`throughput ${key}: ${c.pool} sessions`);
  let setup;
  try {
    setup = await setUpLoad(sys, { sessions: c.pool, perAgent: c.perAgent, customerWorkers: c.customerWorkers, agentWorkers: c.agentWorkers, logDir, tag: `throughput-${key}`, log });
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    out.stoppedBecause = 'setup failed';
    log(`  failed: ${out.error}`);
    return out;
  }
  try {
    for (const rate of c.rates) {
      const intervalMs = (setup.sessions.length * 1000) / rate;
      const r = await setup.run({ intervalMs, warmupMs: c.warmupMs, measureMs: c.measureMs, graceMs: 5_000 });
      const v = judge(r, c.p99LimitMs);
      out.steps.push({ ...r, ...v });
      log(`  ${rate}/s: achieved ${r.achievedRate}/s, one-way p50/p99 ${r.oneWay.p50}/${r.oneWay.p99} ms, server cpu ${r.cpu.serverCores} cores${r.db ? `, db ${r.db.scansPerSecond} scans/s ${r.db.updatesPerSecond} updates/s` : ''}, ${v.why}`);
      if (v.pass) {
        out.maxExchangesPerSecond = r.achievedRate;
        out.maxMessagesPerSecond = Math.round(r.achievedRate * 2);
        out.cpuMsPerExchange = r.cpu.serverCores && r.achievedRate ? Math.round(((r.cpu.serverCores * 1000) / r.achievedRate) * 1000) / 1000 : null;
      } else {
        out.stoppedBecause = v.why;
        break;
      }
    }
    if (!out.stoppedBecause) {
      out.stoppedBecause = 'the highest configured rate passed (the real limit is higher)';
      out.openEnded = true;
    }
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    out.stoppedBecause = `error: ${out.error}`;
  } finally {
    await setup.close(false);
  }
  return out;
}
