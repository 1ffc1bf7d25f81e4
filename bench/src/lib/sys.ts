import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** CPU time (user + system) of one process, in clock ticks (USER_HZ, 100 per second on Linux). */
export function cpuTicksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/** Busy and total ticks of the whole machine, from /proc/stat. */
export function systemTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy, total: busy + idle + (iowait ?? 0) };
}

export const TICKS_PER_SECOND = 100;

/** Pids of the machine's processes named `comm` (e.g. every PostgreSQL process: it runs locally). */
export function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Watches CPU use during a window: the processes under test, our own load generators, and what the
 * rest of the machine (other developers' tests) used meanwhile.
 */
export class CpuWatch {
  private start: { sys: { busy: number; total: number }; procs: Map<string, number>; at: number };
  constructor(private readonly procs: Record<string, number[]>) {
    this.start = this.sample();
  }
  private sample() {
    const procs = new Map<string, number>();
    for (const [name, pids] of Object.entries(this.procs))
      procs.set(
        name,
        pids.reduce((a, p) => a + (cpuTicksOf(p) || 0), 0),
      );
    return { sys: systemTicks(), procs, at: Date.now() };
  }
  /** Percent of one core per group, and the machine's total and foreign (not ours) use, in cores. */
  stop(): Record<string, number> {
    const end = this.sample();
    const secs = (end.at - this.start.at) / 1000;
    const out: Record<string, number> = {};
    let ours = 0;
    for (const [name, t] of end.procs) {
      // A process that exited in the window took its ticks along: never a negative share.
      const d = Math.max(0, t - (this.start.procs.get(name) ?? 0));
      ours += d;
      // Three decimals: a group's share is divided by a count (polls, exchanges), and 0.01 of 0.4 cores is 2.5 %
      // (ProcessSetCpu likewise: PostgreSQL's backends use under 0.1 cores at 25/s).
      out[`${name}Cores`] = round3(d / TICKS_PER_SECOND / secs);
    }
    const busy = end.sys.busy - this.start.sys.busy;
    out.machineCores = round2(busy / TICKS_PER_SECOND / secs);
    out.foreignCores = round2(Math.max(0, busy - ours) / TICKS_PER_SECOND / secs);
    return out;
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * CPU of a set of processes that changes during the window (PostgreSQL backends come and go as the
 * server's pool closes idle clients and opens new ones): `sample()` lists them again; a process first
 * listed after the start counts from zero, one that is gone keeps its last reading.
 */
export class ProcessSetCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private from = 0;
  private to = 0;

  constructor(private readonly list: () => Promise<number[]>) {}

  async sample(): Promise<void> {
    const pids = await this.list().catch(() => [] as number[]);
    for (const pid of new Set([...pids, ...this.last.keys()])) {
      const ticks = cpuTicksOf(pid);
      if (Number.isNaN(ticks)) continue;
      if (!this.first.has(pid)) this.first.set(pid, this.from ? 0 : ticks);
      this.last.set(pid, ticks);
    }
    this.to = Date.now();
    this.from ||= this.to;
  }

  /** Cores used between the first sample and the last. */
  cores(): number {
    let ticks = 0;
    for (const [pid, t] of this.last) ticks += Math.max(0, t - (this.first.get(pid) ?? t));
    return this.to > this.from ? round3(ticks / TICKS_PER_SECOND / ((this.to - this.from) / 1000)) : 0;
  }
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'not available';
  }
}

export function loadAvg(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

export function machineInfo(): Record<string, unknown> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown';
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return {
    nproc: Number(tryRun('nproc', [])) || os.cpus().length,
    cpuModel: model,
    memoryGiB: Math.round((memKb / 1024 / 1024) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    chromium: tryRun('/usr/bin/chromium', ['--version']),
    postgres: tryRun('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-tAc', 'show server_version']),
    redis:
      tryRun('redis-cli', ['-h', '127.0.0.1', 'info', 'server'])
        .split('\n')
        .find((l) => l.startsWith('redis_version'))
        ?.trim() ?? 'not available',
    socketIo: pkgVersion('socket.io'),
    ws: pkgVersion('ws'),
    ulimitNoFile: tryRun('bash', ['-c', 'ulimit -n']),
    loadAvgAtStart: loadAvg(),
  };
}

function pkgVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(new URL(`../../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
