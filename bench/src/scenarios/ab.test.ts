import { describe, expect, it } from 'vitest';
import { orderOfPair, summarizeSamples, type Sample } from './ab.js';
import { projectNodes } from '../ab-report.js';

const sample = (variant: string, pair: number, rate: number, cpuMsPerExchange: number | null, postgresMsPerExchange: number | null = null, work: Record<string, number> | null = null): Sample => ({
  variant,
  pair,
  rate,
  achievedRate: rate,
  oneWayP99: 10,
  unanswered: 0,
  atRate: true,
  serverCores: 0,
  foreignCores: 0,
  loadAvg1: 0,
  cpuMsPerExchange,
  postgresMsPerExchange,
  work,
});

describe('A/B alternation', () => {
  it('alternates the order pair by pair', () => {
    expect([0, 1, 2].map((p) => orderOfPair(['a', 'b'], p).join(''))).toEqual(['ab', 'ba', 'ab']);
  });

  it('takes medians per build and rate, and the first build over the second', () => {
    const samples = [
      sample('current', 1, 100, 1, 0.5, { 'store:transactions': 6 }),
      sample('base', 1, 100, 5, 2),
      sample('current', 2, 100, 3, 0.7, { 'store:transactions': 8 }),
      sample('base', 2, 100, 4, 3),
      sample('current', 3, 100, 2, 0.6, { 'store:transactions': 7 }),
      sample('base', 3, 100, 100, 4),
      { ...sample('current', 4, 100, 50), error: 'setup failed' },
      { ...sample('base', 4, 100, 0.1), atRate: false },
    ];
    const [r] = summarizeSamples(['current', 'base'], [100], samples);
    expect(r!.medians.current).toMatchObject({ cpuMsPerExchange: 2, postgresMsPerExchange: 0.6, n: 3, work: { 'store:transactions': 7 } });
    expect(r!.medians.base).toMatchObject({ cpuMsPerExchange: 5, postgresMsPerExchange: 3, work: null });
    expect(r!.cpuRatio).toBe(0.4);
    expect(r!.postgresRatio).toBe(0.2);
    // Every run that reached half the rate: current 1, 3, 2 (not the failed one); base 5, 4, 100, 0.1.
    expect(r!.allRuns.cpuMs).toEqual({ current: 2, base: 4.5 });
    // Pair by pair, where both builds ran at the rate (pair 4 has neither).
    expect(r!.pairCpuRatios).toEqual([0.2, 0.75, 0.02]);
    expect(r!.pairPostgresRatios).toEqual([0.25, 0.233, 0.15]);
  });

  it('has no ratio when a build has no sample', () => {
    const [r] = summarizeSamples(['current', 'base'], [50], [sample('current', 1, 50, 2)]);
    expect(r!.cpuRatio).toBeNull();
  });
});

describe('nodes projection', () => {
  it('adds the per-node overhead linearly and gives PostgreSQL its share', () => {
    const [one, three, ten] = projectNodes({ parleyMs: 4, postgresMs: 1 }, { parleyMs: 5, postgresMs: 1 }, [1, 3, 10]);
    expect(one).toMatchObject({ parleyMs: 4, postgresShare: 0.2, parleyCapacity: 250, postgresCapacityPerCore: 1000 });
    expect(three!.parleyMs).toBe(5);
    expect(ten!.parleyMs).toBeCloseTo(8.5);
    expect(ten!.parleyCapacity).toBeCloseTo(10_000 / 8.5);
  });
});
