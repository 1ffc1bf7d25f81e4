import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { sleep, withTimeout } from './util.js';

export const benchRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoRoot = join(benchRoot, '..');

const live = new Set<ChildProcess>();

/** Kills every child this process started (by pid), e.g. on Ctrl-C or a crash. */
export function killAll(): void {
  for (const c of live) {
    try {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resident set size in kB, from /proc. */
  rssKb(): number;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
  /** Heap after a full GC, through the inspector, when started with `inspect`. */
  heapAfterGc?(): Promise<{ usedBytes: number; totalBytes: number }>;
  inspectPort?: number;
}

export function rssKbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

function track(name: string, child: ChildProcess, inspectPort?: number): Proc {
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  const proc: Proc = {
    name,
    child,
    pid: child.pid!,
    rssKb: () => rssKbOf(child.pid!),
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  if (inspectPort) {
    proc.inspectPort = inspectPort;
    proc.heapAfterGc = () => heapAfterGc(inspectPort);
  }
  return proc;
}

/**
 * Starts a server process (`node args…`), its output to `logFile`, and waits until `readyUrl`
 * answers 200 (or the process dies, or `timeoutMs` passes).
 */
export async function startServer(opts: {
  name: string;
  nodeArgs: string[];
  env: Record<string, string>;
  logFile: string;
  readyUrl: string;
  timeoutMs?: number;
  inspectPort?: number;
  cwd?: string;
}): Promise<Proc> {
  const out = createWriteStream(opts.logFile, { flags: 'a' });
  const execArgs = [...(opts.inspectPort ? [`--inspect=127.0.0.1:${opts.inspectPort}`] : []), ...opts.nodeArgs];
  const child = spawn(process.execPath, execArgs, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? repoRoot });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const proc = track(opts.name, child, opts.inspectPort);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let dead = false;
  void proc.exited.then(() => (dead = true));
  while (Date.now() < deadline && !dead) {
    try {
      const r = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return proc;
    } catch {
      /* not up yet */
    }
    await sleep(150);
  }
  await proc.stop(1000);
  throw new Error(`${opts.name} did not start (see ${opts.logFile})`);
}

/** A load-generator process speaking the small RPC of worker.ts over the IPC channel. */
export interface Worker {
  name: string;
  proc: Proc;
  call<T = any>(op: string, payload?: unknown, timeoutMs?: number): Promise<T>;
}

export function startWorker(name: string, file: string, logFile: string, args: string[] = []): Worker {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = fork(file, args, { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced', cwd: benchRoot });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const proc = track(name, child);
  let seq = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  child.on('message', (m: any) => {
    const p = pending.get(m?.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${name}: ${m.error}`));
    else p.resolve(m.result);
  });
  void proc.exited.then((code) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code}) (see ${logFile})`));
    pending.clear();
  });
  return {
    name,
    proc,
    call(op, payload, timeoutMs = 120_000) {
      const id = ++seq;
      const p = new Promise<any>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, op, payload });
      });
      return withTimeout(p, timeoutMs, `${name} ${op}`);
    },
  };
}

/** A short-lived DevTools protocol session with the V8 inspector of a process started with --inspect. */
async function inspector<T>(port: number, fn: (call: (method: string, params?: unknown, timeoutMs?: number) => Promise<any>) => Promise<T>): Promise<T> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(list[0]!.webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  let id = 0;
  const call = (method: string, params?: unknown, timeoutMs = 30_000) =>
    withTimeout(
      new Promise<any>((resolve, reject) => {
        const my = ++id;
        const on = (d: WebSocket.RawData) => {
          const m = JSON.parse(d.toString());
          if (m.id === my) {
            ws.off('message', on);
            if (m.error) reject(new Error(`${method}: ${m.error.message}`));
            else resolve(m.result);
          }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ id: my, method, ...(params ? { params } : {}) }));
      }),
      timeoutMs,
      method,
    );
  try {
    return await fn(call);
  } finally {
    ws.close();
  }
}

/** Full GC then heap usage. */
function heapAfterGc(port: number): Promise<{ usedBytes: number; totalBytes: number }> {
  return inspector(port, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
  });
}

/** A CPU profile of exactly `ms` milliseconds of the process (V8 sampling profiler, 1 ms interval). */
export function profileWindow(proc: Proc, ms: number): Promise<object> {
  if (!proc.inspectPort) throw new Error(`${proc.name} was not started with the inspector`);
  return inspector(proc.inspectPort, async (call) => {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: 1000 });
    await call('Profiler.start');
    await sleep(ms);
    const { profile } = await call('Profiler.stop', undefined, 120_000);
    await call('Profiler.disable');
    return profile;
  });
}
