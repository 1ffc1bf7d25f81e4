import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { judge, rampAndBisect } from './throughput.js';
import type { RunResult } from '../load.js';

const search = { startRate: 25, minRate: 10, maxRate: 12_800, factor: 4, refineSteps: 1 };

describe('rampAndBisect', () => {
  it('brackets the threshold of any monotone system, within the refined step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1, max: 20_000, noNaN: true }), fc.integer({ min: 0, max: 3 }), async (limit, refineSteps) => {
        const tried: number[] = [];
        const { low, high } = await rampAndBisect({ ...search, refineSteps }, async (rate) => {
          tried.push(rate);
          return rate <= limit;
        });
        expect(new Set(tried).size).toBe(tried.length); // no rate measured twice
        if (low !== null) expect(low).toBeLessThanOrEqual(limit);
        if (high !== null) expect(high).toBeGreaterThan(limit);
        if (limit < search.minRate) expect(low).toBeNull();
        if (limit >= search.maxRate) expect(high).toBeNull();
        if (low !== null && high !== null) {
          // Each bisection halves the log-width of the bracket (two-figure rounding aside).
          expect(high / low).toBeLessThanOrEqual(search.factor ** (1 / 2 ** refineSteps) * 1.1);
        }
        expect(tried.length).toBeLessThanOrEqual(8 + refineSteps);
      }),
    );
  });

  it('goes down from the start rate when the first step fails', async () => {
    const tried: number[] = [];
    const r = await rampAndBisect(search, async (rate) => {
      tried.push(rate);
      return rate <= 12;
    });
    expect(tried.slice(0, 2)).toEqual([25, 10]);
    expect(r.low).toBeLessThanOrEqual(12);
    expect(r.high).toBeGreaterThan(12);
  });
});

describe('judge', () => {
  const summary = (p95: number, p99: number) => ({ n: 500, p50: 2, p95, p99, max: p99, mean: 3 });
  const run = (over: Partial<RunResult>): RunResult =>
    ({
      targetRate: 100,
      achievedRate: 100,
      measureSeconds: 5,
      oneWay: summary(10, 20),
      generatorLag: summary(1, 2),
      lost: 0,
      errors: { send: 0, poll: 0, reply: 0, samples: [] },
      measuredSent: 500,
      ...over,
    }) as RunResult;

  it('passes a step within every limit', () => {
    expect(judge(run({}), 100)).toMatchObject({ pass: true, tailOnly: false });
  });
  it('calls a failure with a good p95 and nothing lost a tail outlier', () => {
    expect(judge(run({ oneWay: summary(40, 195) }), 100)).toMatchObject({ pass: false, tailOnly: true });
  });
  it('does not call saturation an outlier', () => {
    expect(judge(run({ oneWay: summary(400, 900) }), 100)).toMatchObject({ pass: false, tailOnly: false });
    expect(judge(run({ oneWay: summary(40, 195), lost: 10 }), 100)).toMatchObject({ pass: false, tailOnly: false });
    expect(judge(run({ achievedRate: 50 }), 100)).toMatchObject({ pass: false, tailOnly: false });
  });
});
