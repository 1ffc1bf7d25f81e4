/**
 * Figure 1: end-to-end delivery latency at increasing numbers of concurrent sessions, one message
 * per session every 10 s, each answered by its agent at once; agents hold `perAgent` chats each.
 */
import { setUpLoad, type RunResult } from '../load.js';
import type { Running } from '../systems.js';

export interface LatencyRow extends Partial<RunResult> {
  system: string;
  label: string;
  sessions: number;
  agents?: number;
  setupSeconds?: number;
  generatorWorkers?: { customers: number; agents: number };
  error?: string;
}

export interface LatencyConfig {
  ladder: number[];
  perAgent: number;
  intervalMs: number;
  warmupMs: number;
  measureMs: number;
  customerWorkers: number;
  agentWorkers: number;
  /** More generator processes for larger rungs: at least one customer (agent) worker per this many sessions. */
  sessionsPerCustomerWorker?: number;
  sessionsPerAgentWorker?: number;
  /** Share of unanswered messages past which the larger rungs are not run. */
  maxUnanswered: number;
}

export async function latencyLadder(key: string, sys: Running, c: LatencyConfig, logDir: string, log: (s: string) => void): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const sessions of c.ladder) {
    log(`latency ${key}: ${sessions} sessions`);
    try {
      const customerWorkers = Math.max(c.customerWorkers, Math.ceil(sessions / (c.sessionsPerCustomerWorker ?? Infinity)));
      const agentWorkers = Math.max(c.agentWorkers, Math.ceil(sessions / (c.sessionsPerAgentWorker ?? Infinity)));
      const setup = await setUpLoad(sys, { sessions, perAgent: c.perAgent, customerWorkers, agentWorkers, logDir, tag: `latency-${key}-${sessions}`, log });
      try {
        // Measure at least ~2 sends per session, and never less than the configured window.
        const r = await setup.run({ intervalMs: c.intervalMs, warmupMs: c.warmupMs, measureMs: c.measureMs, graceMs: 10_000 });
        rows.push({
          system: key,
          label: sys.label,
          sessions: setup.sessions.length,
          agents: setup.agents,
          setupSeconds: setup.setupSeconds,
          generatorWorkers: { customers: customerWorkers, agents: agentWorkers },
          ...r,
        });
        log(
          `  p50/p95/p99 one-way ${r.oneWay.p50}/${r.oneWay.p95}/${r.oneWay.p99} ms, round trip p99 ${r.roundTrip.p99} ms, ${r.answered}/${r.measuredSent} answered, lost ${r.lost}, cpu ${JSON.stringify(r.cpu)}`,
        );
        const unanswered = r.measuredSent ? 1 - r.answered / r.measuredSent : 1;
        if (unanswered > c.maxUnanswered) {
          // Past its capacity a system only falls further behind; more sessions would measure the pile-up.
          const why = `not run: at ${setup.sessions.length} sessions ${(unanswered * 100).toFixed(1)} % of the messages went unanswered`;
          for (const bigger of c.ladder.filter((n) => n > sessions)) rows.push({ system: key, label: sys.label, sessions: bigger, error: why });
          log(`  ${why}: the larger rungs are skipped`);
          break;
        }
      } finally {
        await setup.close(sys.system === 'parley' || sys.system === 'guest');
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`  failed: ${message}`);
      rows.push({ system: key, label: sys.label, sessions, error: message });
      break; // a bigger rung would fail too
    }
  }
  return rows;
}
