import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFloor, runFloor } from './floor.js';

describe('the floor of a v3 exchange', () => {
  it('makes the network moves of one exchange: 4 requests answered and 2 frames sent per exchange, every exchange answered', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'floor-'));
    const r = await runFloor({ sessions: 8, perAgent: 4, rates: [40], runs: 1, warmupMs: 500, measureMs: 1_500 }, logDir, () => undefined);
    const [run] = r.runs;
    expect(run!.requestsPerExchange).toBeCloseTo(4, 0);
    expect(run!.framesPerExchange).toBeCloseTo(2, 0);
    expect(run!.achievedRate).toBeGreaterThan(30);
    expect(r.medians).toEqual([{ rate: 40, cpuPerExchangeMs: run!.cpuPerExchangeMs }]);
    expect(renderFloor(r).join('\n')).toContain('| 40 | 1 |');
  }, 30_000);
});
