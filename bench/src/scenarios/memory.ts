/**
 * Figure 3: memory per idle connected session. The server's RSS (and V8 heap after a full GC,
 * through the inspector) before and after N idle sessions, divided by N.
 *   - ws / Socket.IO relay: N customer WebSocket connections.
 *   - Parley long poll: N started v3 sessions, each holding its long poll (re-polled every LONG_POLL_MS).
 *   - Parley WebSocket: then N agent WebSocket connections (/agent/v1/events), authenticated, each
 *     subscribed to one of those sessions; the delta over the long-poll state, divided by N.
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { benchRoot, repoRoot, profileWindow, startWorker, type Proc, type Worker } from '../lib/proc.js';
import { summarize, type ProfileSummary } from '../lib/cpuprofile.js';
import { chunk, sleep } from '../lib/util.js';
import { CpuWatch } from '../lib/sys.js';
import type { SessionRef } from '../clients/types.js';
import { API_KEY, V3_PREFIX, type Running } from '../systems.js';

const WORKER = join(benchRoot, 'src/worker.ts');

export interface MemorySnapshot {
  rssMb: number;
  heapUsedMb: number | null;
}

export interface MemoryRow {
  system: string;
  label: string;
  kind: 'websocket' | 'long poll' | 'agent websocket' | 'guest websocket';
  sessions: number;
  before: MemorySnapshot;
  after: MemorySnapshot;
  rssKbPerSession: number;
  heapKbPerSession: number | null;
  /** Server CPU (cores) while the sessions sit idle, before and after they connected. */
  idleCpuBefore?: number;
  idleCpuAfter?: number;
  /** Where an idle Parley spends its CPU (profile of the idle window after the sessions connected). */
  idleProfile?: Pick<ProfileSummary, 'idlePercent' | 'gcPercent' | 'topFunctions' | 'topFiles' | 'callers'> & { file: string };
  error?: string;
}

/** Server CPU over `ms` while nothing is sent. */
async function idleCpu(procs: Proc[], ms: number, profile: string | false = false): Promise<{ cores: number; profile?: MemoryRow['idleProfile'] }> {
  const w = new CpuWatch({ server: procs.map((p) => p.pid) });
  const prof = profile && procs[0]?.inspectPort ? profileWindow(procs[0], ms).catch(() => null) : null;
  await sleep(ms);
  const cores = w.stop().serverCores!;
  const p = prof ? await prof : null;
  if (!p) return { cores };
  mkdirSync(dirname(profile as string), { recursive: true });
  writeFileSync(profile as string, JSON.stringify(p));
  const sum = summarize(p, 12);
  return {
    cores,
    profile: { idlePercent: sum.idlePercent, gcPercent: sum.gcPercent, topFunctions: sum.topFunctions, topFiles: sum.topFiles, callers: sum.callers, file: relative(repoRoot, profile as string) },
  };
}

async function snapshot(procs: Proc[]): Promise<MemorySnapshot> {
  let heap: number | null = 0;
  for (const p of procs) {
    if (!p.heapAfterGc) heap = null;
    else if (heap !== null) heap += (await p.heapAfterGc()).usedBytes;
  }
  await sleep(1000);
  // The median of a few samples: RSS moves with the collector.
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    rss.push(procs.reduce((a, p) => a + p.rssKb(), 0));
    await sleep(300);
  }
  rss.sort((a, b) => a - b);
  return { rssMb: round(rss[2]! / 1024), heapUsedMb: heap === null ? null : round(heap / 1024 / 1024) };
}

const round = (v: number) => Math.round(v * 100) / 100;

function perSession(before: MemorySnapshot, after: MemorySnapshot, n: number) {
  return {
    rssKbPerSession: round(((after.rssMb - before.rssMb) * 1024) / n),
    heapKbPerSession: before.heapUsedMb === null || after.heapUsedMb === null ? null : round(((after.heapUsedMb - before.heapUsedMb) * 1024) / n),
  };
}

export async function idleMemory(key: string, sys: Running, n: number, settleMs: number, logDir: string, log: (s: string) => void): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  const workers: Worker[] = [];
  const cw = [
    startWorker('idle-customers-1', WORKER, join(logDir, `memory-${key}-customers-1.log`), ['customer']),
    startWorker('idle-customers-2', WORKER, join(logDir, `memory-${key}-customers-2.log`), ['customer']),
  ];
  workers.push(...cw);
  try {
    const setup = (count: number, offset: number, w: Worker) =>
      w.call<{ sessions: SessionRef[]; failed: number; errors: string[] }>(
        'setup',
        { system: sys.system, urls: sys.urls, count, offset, apiKey: API_KEY, prefix: V3_PREFIX, startConcurrency: 24 },
        600_000,
      );
    // Warm-up: a few sessions first, so that first-use allocations (JIT, pools) are not counted.
    await setup(20, 1_000_000, cw[0]!);
    await sleep(settleMs);
    const cpuBefore = (await idleCpu(sys.procs, settleMs * 2)).cores;
    const before = await snapshot(sys.procs);
    const half = Math.ceil(n / 2);
    const made = await Promise.all([setup(half, 0, cw[0]!), setup(n - half, half, cw[1]!)]);
    const sessions = made.flatMap((m) => m.sessions);
    const failed = made.reduce((a, m) => a + m.failed, 0);
    await sleep(settleMs);
    const idleAfter = await idleCpu(sys.procs, settleMs * 2, (sys.system === 'parley' || sys.system === 'guest') && join(benchRoot, 'results/profile', `idle-${key}-customers.cpuprofile`));
    const cpuAfter = idleAfter.cores;
    const after = await snapshot(sys.procs);
    const kind = sys.system === 'parley' ? 'long poll' : sys.system === 'guest' ? 'guest websocket' : 'websocket';
    rows.push({
      system: key,
      label: sys.label,
      kind,
      sessions: sessions.length,
      before,
      after,
      ...perSession(before, after, sessions.length),
      idleCpuBefore: cpuBefore,
      idleCpuAfter: cpuAfter,
      ...(idleAfter.profile ? { idleProfile: idleAfter.profile } : {}),
      ...(failed ? { error: `${failed} sessions failed to start` } : {}),
    });
    log(`memory ${key} ${kind}: ${rows.at(-1)!.rssKbPerSession} kB RSS, ${rows.at(-1)!.heapKbPerSession} kB heap per session (${sessions.length}); idle server CPU ${cpuBefore} -> ${cpuAfter} cores`);
    if (sys.system === 'parley' && sys.agentTokens) {
      // Agent WebSockets: one account, N connections, each watching one queued session.
      const [token] = await sys.agentTokens(1);
      const aw = startWorker('idle-agents', WORKER, join(logDir, `memory-${key}-agents.log`), ['agent']);
      workers.push(aw);
      const specs = sessions.map((s, k) => ({ node: k % sys.urls.length, token: token!, sessions: [s] }));
      const r = await aw.call<{ connected: number; failed: number; errors: string[] }>(
        'setup',
        { system: 'parley', urls: sys.urls, agents: chunk(specs, 1)[0], concurrency: 32, accept: false },
        600_000,
      );
      await sleep(settleMs);
      const idleWs = await idleCpu(sys.procs, settleMs * 2, join(benchRoot, 'results/profile', `idle-${key}-agent-ws.cpuprofile`));
      const cpuWs = idleWs.cores;
      const withWs = await snapshot(sys.procs);
      rows.push({
        system: key,
        label: sys.label,
        kind: 'agent websocket',
        sessions: r.connected,
        before: after,
        after: withWs,
        ...perSession(after, withWs, Math.max(1, r.connected)),
        idleCpuBefore: cpuAfter,
        idleCpuAfter: cpuWs,
        ...(idleWs.profile ? { idleProfile: idleWs.profile } : {}),
        ...(r.failed ? { error: `${r.failed} connections failed: ${r.errors[0]}` } : {}),
      });
      log(
        `memory ${key} agent websocket: ${rows.at(-1)!.rssKbPerSession} kB RSS, ${rows.at(-1)!.heapKbPerSession} kB heap per connection (${r.connected}); idle server CPU ${cpuAfter} -> ${cpuWs} cores`,
      );
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`  memory ${key} failed: ${message}`);
    rows.push({
      system: key,
      label: sys.label,
      kind: sys.system === 'parley' ? 'long poll' : 'websocket',
      sessions: n,
      before: { rssMb: NaN, heapUsedMb: null },
      after: { rssMb: NaN, heapUsedMb: null },
      rssKbPerSession: NaN,
      heapKbPerSession: null,
      error: message,
    });
  } finally {
    await Promise.all(workers.map((w) => w.call('teardown', {}, 30_000).catch(() => undefined)));
    await Promise.all(workers.map((w) => w.proc.stop(5000)));
  }
  return rows;
}
