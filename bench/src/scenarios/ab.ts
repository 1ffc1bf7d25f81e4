/**
 * Side-by-side comparisons in one run, at fixed rates (equal load, so CPU per exchange compares):
 * two variants (this tree's build and a base build; or 1 and 3 PostgreSQL nodes) measured in
 * alternating order (A B, B A, A B, …) so that a drift of the machine's load falls on both, each
 * pair on fresh servers. The figure is the median over the pairs of CPU per exchange: Parley's
 * processes, and PostgreSQL's backends serving this system (pg_stat_activity by application_name,
 * their CPU from /proc: PostgreSQL is local).
 */
import { setUpLoad, type RunResult } from '../load.js';
import type { Running } from '../systems.js';
import { formatWork } from '../lib/work-scrape.js';

export interface Variant {
  key: string;
  label: string;
  start(): Promise<Running>;
}

export interface AlternationConfig {
  pairs: number;
  pool: number;
  perAgent: number;
  customerWorkers: number;
  agentWorkers: number;
  rates: number[];
  warmupMs: number;
  measureMs: number;
  /** Both variants at once in each pair (each with its own sessions and generators, windows started together). */
  concurrent?: boolean;
}

export interface Sample {
  variant: string;
  pair: number;
  rate: number;
  achievedRate: number;
  oneWayP99: number;
  unanswered: number;
  /** Reached ≥ 90 % of the rate with ≤ 1 % unanswered: the load was the one asked for, so the CPU per exchange compares. Medians use only these. */
  atRate: boolean;
  serverCores: number;
  /** This system's PostgreSQL backends. */
  postgresCores?: number;
  /** Every PostgreSQL process of the machine (other helpers' tests included). */
  postgresAllCores?: number;
  foreignCores: number;
  loadAvg1: number;
  cpuMsPerExchange: number | null;
  postgresMsPerExchange: number | null;
  work: Record<string, number> | null;
  error?: string;
}

export interface Comparison {
  /** What is compared, e.g. "SQLite, v3 long poll". */
  title: string;
  variants: { key: string; label: string }[];
  config: AlternationConfig;
  samples: Sample[];
  /** Per rate: medians per variant and the ratio of the first variant to the second. */
  byRate: {
    rate: number;
    medians: Record<string, { cpuMsPerExchange: number | null; postgresMsPerExchange: number | null; oneWayP99: number | null; work: Record<string, number> | null; n: number }>;
    /** first / second variant, Parley's CPU per exchange. */
    cpuRatio: number | null;
    postgresRatio: number | null;
    /** The same over every run that reached half the rate (the load was not equal: a hint, not the figure). */
    allRuns: { cpuRatio: number | null; postgresRatio: number | null; cpuMs: Record<string, number | null> };
    /** Each pair's first / second (pairs where both ran at the rate): side by side, each from one window. */
    pairCpuRatios: number[];
    pairPostgresRatios: number[];
  }[];
}

export const median = (xs: number[]): number | null => {
  const s = xs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const ratioOf = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? Number((a / b).toPrecision(3)) : null);

/** Per pair where both variants have a value: `ratio(first's, second's)`, in pair order. */
export function perPair<S extends { variant: string; pair: number }>(
  samples: S[],
  first: string,
  second: string,
  value: (s: S) => number | null | undefined,
  ratio: (a: number, b: number) => number | null,
): number[] {
  const out: number[] = [];
  for (const pair of new Set(samples.map((s) => s.pair))) {
    const [x, y] = [first, second].map((v) => {
      const s = samples.find((s) => s.variant === v && s.pair === pair);
      return s ? value(s) : null;
    });
    const r = x != null && y != null ? ratio(x, y) : null;
    if (r != null) out.push(r);
  }
  return out;
}

/** The windows of pair `p`: one per variant in alternating order, or all variants in one (side by side). */
export const windowsOfPair = <T>(variants: T[], p: number, sideBySide: boolean): T[][] => (sideBySide ? [orderOfPair(variants, p)] : orderOfPair(variants, p).map((v) => [v]));

/** Medians per variant and rate, and the first variant's ratio to the second. */
export function summarizeSamples(variants: string[], rates: number[], samples: Sample[]): Comparison['byRate'] {
  return rates.map((rate) => {
    // The runs that compare: at the rate, without error.
    const atRate = samples.filter((s) => s.rate === rate && !s.error && s.atRate);
    const medians: Comparison['byRate'][number]['medians'] = {};
    for (const v of variants) {
      const ok = atRate.filter((s) => s.variant === v);
      const workKeys = [...new Set(ok.flatMap((s) => Object.keys(s.work ?? {})))];
      const work = workKeys.length ? Object.fromEntries(workKeys.map((k) => [k, Math.round((median(ok.map((s) => s.work?.[k] ?? NaN)) ?? 0) * 100) / 100])) : null;
      const m = (xs: (number | null)[]) => {
        const v2 = median(xs.filter((x): x is number => x != null));
        return v2 == null ? null : r3(v2);
      };
      medians[v] = {
        cpuMsPerExchange: m(ok.map((s) => s.cpuMsPerExchange)),
        postgresMsPerExchange: m(ok.map((s) => s.postgresMsPerExchange)),
        oneWayP99: m(ok.map((s) => s.oneWayP99)),
        work,
        n: ok.length,
      };
    }
    const [a, b] = variants;
    const anyRun = (v: string, pick: (s: Sample) => number | null) =>
      median(samples.filter((s) => s.variant === v && s.rate === rate && !s.error && s.achievedRate >= rate * 0.5).map((s) => pick(s) ?? NaN));
    const all = (pick: (s: Sample) => number | null) => ratioOf(anyRun(a!, pick), anyRun(b!, pick));
    return {
      rate,
      medians,
      allRuns: {
        cpuRatio: all((s) => s.cpuMsPerExchange),
        postgresRatio: all((s) => s.postgresMsPerExchange),
        cpuMs: Object.fromEntries(variants.map((v) => [v, anyRun(v, (s) => s.cpuMsPerExchange)])),
      },
      cpuRatio: ratioOf(medians[a!]?.cpuMsPerExchange, medians[b!]?.cpuMsPerExchange),
      postgresRatio: ratioOf(medians[a!]?.postgresMsPerExchange, medians[b!]?.postgresMsPerExchange),
      pairCpuRatios: perPair(atRate, a!, b!, (s) => s.cpuMsPerExchange, ratioOf),
      pairPostgresRatios: perPair(atRate, a!, b!, (s) => s.postgresMsPerExchange, ratioOf),
    };
  });
}

/** The order of the variants in pair `p` (0-based): A B, then B A, and so on. */
export const orderOfPair = <T>(variants: T[], p: number): T[] => (p % 2 === 0 ? [...variants] : [...variants].reverse());

/** One variant's figures from one measured window at one rate. */
function sampleOf(variant: string, pair: number, rate: number, r: RunResult): Sample {
  const exchangesPerSecond = r.answered / r.measureSeconds;
  const perExchange = (cores: number | undefined) => (cores != null && exchangesPerSecond > 0 ? r3((cores * 1000) / exchangesPerSecond) : null);
  return {
    variant,
    pair,
    rate,
    achievedRate: r.achievedRate,
    oneWayP99: r.oneWay.p99,
    unanswered: r.measuredSent ? r3(1 - r.answered / r.measuredSent) : 1,
    atRate: r.achievedRate >= rate * 0.9 && r.measuredSent > 0 && r.answered / r.measuredSent >= 0.99,
    serverCores: r.cpu.serverCores ?? NaN,
    ...(r.cpu.postgresCores != null ? { postgresCores: r.cpu.postgresCores } : {}),
    ...(r.cpu.postgresAllCores != null ? { postgresAllCores: r.cpu.postgresAllCores } : {}),
    foreignCores: r.cpu.foreignCores ?? NaN,
    loadAvg1: r.loadAvg[0] ?? NaN,
    cpuMsPerExchange: perExchange(r.cpu.serverCores),
    postgresMsPerExchange: perExchange(r.cpu.postgresCores),
    work: r.work ?? null,
  };
}

export async function alternate(title: string, variants: Variant[], c: AlternationConfig, logDir: string, log: (s: string) => void): Promise<Comparison> {
  const samples: Sample[] = [];
  const concurrent = Boolean(c.concurrent) && variants.length > 1;
  log(
    `${title}: ${variants.map((v) => v.label).join(' vs ')}, ${c.pairs} pairs ${concurrent ? 'side by side' : 'alternating'}, ${c.pool} sessions${concurrent ? ' each' : ''}, ${c.rates.join(', ')}/s`,
  );
  for (let p = 0; p < c.pairs; p++) {
    for (const group of windowsOfPair(variants, p, concurrent)) {
      const live: { v: Variant; sys: Running; setup: Awaited<ReturnType<typeof setUpLoad>> | null }[] = [];
      try {
        for (const v of group) {
          const entry: (typeof live)[number] = { v, sys: await v.start(), setup: null };
          live.push(entry);
          entry.setup = await setUpLoad(entry.sys, {
            sessions: c.pool,
            perAgent: c.perAgent,
            customerWorkers: c.customerWorkers,
            agentWorkers: c.agentWorkers,
            logDir,
            tag: `ab-${v.key}-${p + 1}`,
            log,
          });
        }
        for (const rate of c.rates) {
          const runs = await Promise.all(live.map(({ setup }) => setup!.run({ intervalMs: (setup!.sessions.length * 1000) / rate, warmupMs: c.warmupMs, measureMs: c.measureMs, graceMs: 5_000 })));
          runs.forEach((r, i) => {
            const s = sampleOf(live[i]!.v.key, p + 1, rate, r);
            samples.push(s);
            log(
              `  pair ${p + 1} ${s.variant} ${rate}/s${s.atRate ? '' : ' (NOT at the rate: left out of the medians)'}: achieved ${r.achievedRate}/s, one-way p99 ${r.oneWay.p99} ms, Parley ${s.serverCores} cores = ${s.cpuMsPerExchange} ms/exchange${s.postgresCores != null ? `, PostgreSQL backends ${s.postgresCores} cores = ${s.postgresMsPerExchange} ms/exchange (all PostgreSQL ${s.postgresAllCores})` : ''}, foreign ${s.foreignCores}, work ${formatWork(s.work)}`,
            );
          });
        }
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log(`  pair ${p + 1} ${group.map((v) => v.key).join('+')} failed: ${error}`);
        for (const v of group)
          for (const rate of c.rates)
            if (!samples.some((s) => s.variant === v.key && s.pair === p + 1 && s.rate === rate))
              samples.push({
                variant: v.key,
                pair: p + 1,
                rate,
                achievedRate: 0,
                oneWayP99: NaN,
                unanswered: 1,
                atRate: false,
                serverCores: NaN,
                foreignCores: NaN,
                loadAvg1: NaN,
                cpuMsPerExchange: null,
                postgresMsPerExchange: null,
                work: null,
                error,
              });
      } finally {
        await Promise.all(live.map(({ setup }) => setup?.close(false).catch(() => undefined)));
        await Promise.all(live.map(({ sys }) => sys.stop().catch(() => undefined)));
      }
    }
  }
  const keys = variants.map((v) => v.key);
  const byRate = summarizeSamples(keys, c.rates, samples);
  for (const b of byRate)
    log(
      `  ${title} ${b.rate}/s: ${keys[0]}/${keys[1]} CPU per exchange ${b.cpuRatio ?? 'n/a'}${b.postgresRatio != null ? `, PostgreSQL ${b.postgresRatio}` : ''} (medians ${keys.map((k) => `${k} ${b.medians[k]?.cpuMsPerExchange ?? 'n/a'} ms`).join(', ')})`,
    );
  return { title, variants: variants.map(({ key, label }) => ({ key, label })), config: c, samples, byRate };
}
