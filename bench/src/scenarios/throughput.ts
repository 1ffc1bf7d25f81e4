/**
 * Figure 2: the highest message rate a system persists and delivers with one-way p99 <= 100 ms:
 * a fixed pool of sessions, the rate multiplied by `factor` from `startRate` until a step fails
 * (p99 over the limit, messages unanswered, the target rate not reached), then the interval
 * between the last passing and the first failing rate bisected `refineSteps` times. A step that
 * fails on its tail alone (p95 within the limit, nothing lost) is run once more: one stall in a
 * short window is an outlier, a second one is the system.
 */
import { setUpLoad, type RunResult } from '../load.js';
import type { Running } from '../systems.js';
import { formatWork } from '../lib/work-scrape.js';

export interface ThroughputConfig {
  pool: number;
  perAgent: number;
  /** First rate tried (customer messages per second); below it the ramp goes down to `minRate` when the first step fails. */
  startRate: number;
  minRate: number;
  maxRate: number;
  factor: number;
  refineSteps: number;
  warmupMs: number;
  /** Shortest measuring window of a step; longer at low rates so that each step has `minSamples` messages. */
  measureMs: number;
  maxMeasureMs: number;
  minSamples: number;
  customerWorkers: number;
  agentWorkers: number;
  p99LimitMs: number;
}

export interface Step extends RunResult {
  pass: boolean;
  why: string;
  /** The step failed on its tail alone and was run again; the next step is the repeat. */
  repeated?: boolean;
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
  /** Counted work per exchange at that step (Parley builds that export it). */
  workPerExchange: Record<string, number> | null;
  /** True when even the highest configured rate passed: the max is a lower bound. */
  openEnded: boolean;
  stoppedBecause: string;
  error?: string;
}

export function judge(r: RunResult, limitMs: number): { pass: boolean; why: string; tailOnly: boolean } {
  const problems: string[] = [];
  const tail = !(r.oneWay.p99 <= limitMs);
  if (tail) problems.push(`one-way p99 ${r.oneWay.p99} ms > ${limitMs} ms`);
  const bad = r.lost + r.errors.send + r.errors.reply;
  if (bad > Math.max(1, r.measuredSent * 0.001)) problems.push(`${bad} of ${r.measuredSent} messages unanswered or failed`);
  if (r.achievedRate < r.targetRate * 0.9) problems.push(`achieved ${r.achievedRate}/s of ${r.targetRate}/s`);
  if (r.generatorLag.p99 > 50) problems.push(`load generator ${r.generatorLag.p99} ms late (p99): the generator, not only the server, is saturated`);
  return { pass: problems.length === 0, why: problems.join('; ') || 'ok', tailOnly: tail && problems.length === 1 && r.oneWay.p95 <= limitMs };
}

export async function throughputRamp(key: string, sys: Running, c: ThroughputConfig, logDir: string, log: (s: string) => void): Promise<ThroughputResult> {
  const out: ThroughputResult = {
    system: key,
    label: sys.label,
    nodes: sys.urls.length,
    pool: c.pool,
    steps: [],
    maxExchangesPerSecond: null,
    maxMessagesPerSecond: null,
    cpuMsPerExchange: null,
    workPerExchange: null,
    openEnded: false,
    stoppedBecause: '',
  };
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
  const measureMsAt = (rate: number) => Math.min(c.maxMeasureMs, Math.max(c.measureMs, Math.ceil((c.minSamples / rate) * 1000)));
  const step = async (rate: number): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      const intervalMs = (setup.sessions.length * 1000) / rate;
      const r = await setup.run({ intervalMs, warmupMs: c.warmupMs, measureMs: measureMsAt(rate), graceMs: 5_000 });
      const { tailOnly, ...v } = judge(r, c.p99LimitMs);
      const again = !v.pass && tailOnly && attempt === 1;
      out.steps.push({ ...r, ...v, ...(again ? { repeated: true } : {}) });
      log(
        `  ${rate}/s: achieved ${r.achievedRate}/s in ${r.measureSeconds} s, one-way p50/p95/p99 ${r.oneWay.p50}/${r.oneWay.p95}/${r.oneWay.p99} ms, server cpu ${r.cpu.serverCores} cores${r.work ? `, per exchange ${formatWork(r.work)}` : ''}${r.db ? `, db ${r.db.scansPerSecond} scans/s ${r.db.updatesPerSecond} updates/s` : ''}, ${v.why}${again ? ' (tail only: once more)' : ''}`,
      );
      if (v.pass) {
        if (out.maxExchangesPerSecond === null || r.achievedRate > out.maxExchangesPerSecond) {
          out.maxExchangesPerSecond = r.achievedRate;
          out.maxMessagesPerSecond = Math.round(r.achievedRate * 2);
          out.cpuMsPerExchange = r.cpu.serverCores && r.achievedRate ? Math.round(((r.cpu.serverCores * 1000) / r.achievedRate) * 1000) / 1000 : null;
          out.workPerExchange = r.work ?? null;
        }
        return true;
      }
      if (!again) {
        out.stoppedBecause = `${rate}/s: ${v.why}`;
        return false;
      }
    }
  };
  try {
    const { low, high } = await rampAndBisect(c, step);
    if (high === null) {
      out.stoppedBecause = 'the highest configured rate passed (the real limit is higher)';
      out.openEnded = true;
    } else if (low === null) {
      out.stoppedBecause = `failed at the lowest rate tried: ${out.stoppedBecause}`;
    }
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    out.stoppedBecause = `error: ${out.error}`;
  } finally {
    await setup.close(false);
  }
  return out;
}

const twoFigures = (v: number) => {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(v)) - 1);
  return Math.round(v / p) * p;
};

/**
 * The search itself, apart from measuring: up by `factor` until a failure (or down from the start
 * when the first rate fails), then geometric bisection. Returns the highest passing and lowest
 * failing rates tried (null when none).
 */
export async function rampAndBisect(
  c: Pick<ThroughputConfig, 'startRate' | 'minRate' | 'maxRate' | 'factor' | 'refineSteps'>,
  step: (rate: number) => Promise<boolean>,
): Promise<{ low: number | null; high: number | null }> {
  let low: number | null = null;
  let high: number | null = null;
  let rate = Math.min(c.startRate, c.maxRate);
  for (;;) {
    if (await step(rate)) {
      low = rate;
      if (high !== null || rate >= c.maxRate) break;
      rate = Math.min(c.maxRate, twoFigures(rate * c.factor));
    } else {
      high = rate;
      if (low !== null || rate <= c.minRate) break;
      rate = Math.max(c.minRate, twoFigures(rate / c.factor));
    }
  }
  for (let i = 0; i < c.refineSteps && low !== null && high !== null; i++) {
    const mid = twoFigures(Math.sqrt(low * high));
    if (mid <= low || mid >= high) break;
    if (await step(mid)) low = mid;
    else high = mid;
  }
  return { low, high };
}
