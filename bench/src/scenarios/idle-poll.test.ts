import { describe, expect, it } from 'vitest';
import { pairRatios, type IdlePollSample } from './idle-poll.js';

const sample = (variant: string, pair: number, cpuUsPerPoll: number | null): IdlePollSample => ({
  variant,
  pair,
  pollsPerSecond: 1900,
  serverCores: 0.5,
  foreignCores: 0.4,
  cpuUsPerPoll,
  statementsPerPoll: 0,
  redisPerPoll: 0,
});

describe('idle re-poll side by side', () => {
  it("takes each pair's ratio from its own window, the first build over the second, skipping a pair that failed", () => {
    const samples = [sample('current', 1, 250), sample('base', 1, 200), sample('base', 2, 300), sample('current', 2, 270), sample('current', 3, null), sample('base', 3, 280)];
    expect(pairRatios(samples, 'current', 'base')).toEqual([1.25, 0.9]);
    expect(pairRatios(samples, 'base', 'current')).toEqual([0.8, 1.111]);
  });
});
