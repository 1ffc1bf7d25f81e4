import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcessSetCpu } from './sys.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProcessSetCpu', () => {
  it('counts a process that appears after the start from zero, and keeps its reading once it is gone', async () => {
    const pids: number[] = [];
    const set = new ProcessSetCpu(async () => pids);
    await set.sample();
    // About 0.6 s of CPU, then it exits.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 600; while (Date.now() < end);']);
    pids.push(child.pid!);
    await sleep(300);
    await set.sample();
    await once(child, 'exit');
    pids.length = 0;
    await set.sample();
    const cores = set.cores();
    expect(cores).toBeGreaterThan(0);
    expect(cores).toBeLessThanOrEqual(1.05);
  });

  it('reads nothing when the set stays empty', async () => {
    const set = new ProcessSetCpu(async () => []);
    await set.sample();
    await sleep(50);
    await set.sample();
    expect(set.cores()).toBe(0);
  });
});
