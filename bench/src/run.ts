/**
 * Parley bench: load generator and baselines, side by side, in one run on this machine.
 *
 *   npm run bench                 short mode (about 6 minutes): 100 and 1 000 sessions
 *   npm run bench -- --full       the full ladder (about 40 minutes): 100, 1 000, 2 000, 5 000, 10 000 sessions (or BENCH_MODE=full)
 *   npm run bench -- --only=latency,throughput,memory,widget,profile --systems=ws,sio,parley,pg1,pg3
 *   BENCH_SERVER_MAIN=<base>/packages/server/dist/main.js npm run bench -- --only=ab [--pairs=3] [--concurrent]   this tree's build against a base build (side by side with --concurrent)
 *   npm run bench -- --only=nodes [--pairs=3] [--concurrent]   CPU per exchange on 3 PostgreSQL nodes against 1, same total rate (side by side with --concurrent)
 *   npm run bench -- --only=ladder --max=10000      the full latency ladder alone (v3 long poll and guest-chat WebSocket)
 *   npm run bench -- --only=idlepoll [--pairs=3] [--concurrent]   CPU, statements and Redis commands of one idle v3 re-poll (against BENCH_SERVER_MAIN when set; side by side in one window per pair with --concurrent)
 *   npm run bench -- --only=floor [--pairs=3]       CPU per exchange of a bare server making only a v3 exchange's network moves (the floor)
 *   npm run bench -- --only=profile --systems=parley,pg1   CPU profiles of the server, idle and under load (SQLite; PostgreSQL with pg1)
 *   --warmup=S --measure=S                          the windows of ab, idlepoll and nodes, in seconds
 *   BENCH_WIDGETS_BASE=<base>/packages/widgets/dist npm run bench -- --only=widget   the widget against an older build
 *
 * Writes bench/results/latest.json and bench/results/latest.md (plus logs under bench/results/logs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchRoot, killAll, profileWindow, repoRoot } from './lib/proc.js';
import { CpuWatch, loadAvg, machineInfo } from './lib/sys.js';
import { sleep } from './lib/util.js';
import { summarize, type ProfileSummary } from './lib/cpuprofile.js';
import { dropStaleSchemas, PARLEY_MAIN, startParley, startSioRelay, startWsRelay, TREE_MAIN, type Running, type StartOptions } from './systems.js';
import { alternate, type Comparison } from './scenarios/ab.js';
import { measureIdlePolls, type IdlePollResult } from './scenarios/idle-poll.js';
import { latencyLadder, type LatencyRow } from './scenarios/latency.js';
import { throughputRamp, type ThroughputResult } from './scenarios/throughput.js';
import { idleMemory, type MemoryRow } from './scenarios/memory.js';
import { widgetLoad, type WidgetResult } from './scenarios/widget.js';
import { runFloor, type FloorResult } from './scenarios/floor.js';
import { setUpLoad } from './load.js';
import { renderMarkdown, ratios } from './report.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name: string) => flag(name)?.split('=')[1];
/** `--name=S` in seconds, as milliseconds. */
const seconds = (name: string) => (value(name) !== undefined ? Number(value(name)) * 1000 : undefined);
const full = !!flag('full') || process.env.BENCH_MODE === 'full';
const mode = full ? 'full' : 'short';
// Profiles take another ~80 s: part of the full mode, on request (--profile) in the short one.
const DEFAULT_SCENARIOS = ['latency', 'throughput', 'memory', 'widget', ...(full || flag('profile') ? ['profile'] : [])];
const scenarios = (value('only') ?? process.env.BENCH_ONLY ?? DEFAULT_SCENARIOS.join(',')).split(',');
const ALL_SYSTEMS = ['ws', 'sio', 'parley', 'guest', 'pg1', 'pg3'];
const systems = (value('systems') ?? process.env.BENCH_SYSTEMS ?? ALL_SYSTEMS.join(',')).split(',');
const numbers = (v: string | undefined) =>
  v
    ?.split(',')
    .map(Number)
    .filter((n) => n > 0);
/** The base build of the A/B scenario: BENCH_BASE_MAIN, else BENCH_SERVER_MAIN (which the other scenarios run instead of this tree's build). */
const abBaseMain = process.env.BENCH_BASE_MAIN ?? process.env.BENCH_SERVER_MAIN;
const widgetsBase = process.env.BENCH_WIDGETS_BASE ? resolve(process.env.BENCH_WIDGETS_BASE) : undefined;
const FULL_LADDER = [100, 1000, 2000, 5000, 10000];

export const config = {
  mode,
  perAgent: 8,
  intervalMs: 10_000,
  customerWorkers: 2,
  agentWorkers: 1,
  /** Larger rungs get more generator processes: one customer worker per this many sessions, one agent worker per `sessionsPerAgentWorker`. */
  sessionsPerCustomerWorker: 2500,
  sessionsPerAgentWorker: 5000,
  // Past `maxUnanswered` unanswered messages on a rung, the larger rungs of that system are not run.
  latency: full
    ? { ladder: [100, 1000, 2000, 5000, 10000], warmupMs: 10_000, measureMs: 30_000, maxUnanswered: 0.05 }
    : { ladder: [100, 1000], warmupMs: 2_000, measureMs: 8_000, maxUnanswered: 0.05 },
  // The rate goes up by `factor` from `startRate` until a step fails, then the bracket is bisected.
  throughput: full
    ? { pool: 1000, startRate: 25, minRate: 5, maxRate: 51_200, factor: 2, refineSteps: 2, warmupMs: 3_000, measureMs: 10_000, maxMeasureMs: 20_000, minSamples: 500 }
    : { pool: 200, startRate: 25, minRate: 10, maxRate: 51_200, factor: 4, refineSteps: 1, warmupMs: 1_000, measureMs: 2_500, maxMeasureMs: 6_000, minSamples: 150 },
  /** The short mode leaves out the guest-chat WebSocket's throughput (its latency and memory are measured). */
  guestThroughput: full,
  memory: full ? { sessions: 5000, settleMs: 5_000 } : { sessions: 1000, settleMs: 1_500 },
  /** `--only=ladder`: the full mode's ladder and windows, up to `--max` (or `--ladder=100,1000,…`). */
  ladder: {
    ladder: numbers(value('ladder')) ?? FULL_LADDER.filter((n) => n <= Number(value('max') ?? 10000)),
    warmupMs: 10_000,
    measureMs: 30_000,
    // Every rung is run, past capacity too: the point of this mode is the top of the ladder.
    maxUnanswered: 1,
  },
  /** A/B at fixed rates (equal load): CPU per exchange, alternating pairs, medians. */
  ab: {
    pairs: Number(value('pairs') ?? 3),
    pool: 200,
    sqliteRates: numbers(value('rates')) ?? [100, 250],
    pgRates: numbers(value('pg-rates')) ?? [50],
    warmupMs: seconds('warmup') ?? 3_000,
    measureMs: seconds('measure') ?? 10_000,
  },
  /** Idle v3 re-polls: sessions polling in a loop with a short hold. */
  idlePoll: { pairs: Number(value('pairs') ?? 3), sessions: 100, holdMs: 50, warmupMs: seconds('warmup') ?? 3_000, measureMs: seconds('measure') ?? 8_000, concurrent: !!flag('concurrent') },
  /** The floor of a v3 exchange: the A/B's sessions and rates on a server that only makes the exchange's network moves. */
  floor: { sessions: 200, perAgent: 8, rates: numbers(value('rates')) ?? [100, 250], runs: Number(value('pairs') ?? 3), warmupMs: seconds('warmup') ?? 3_000, measureMs: seconds('measure') ?? 10_000 },
  /** 1 against 3 PostgreSQL nodes at the same total rate. */
  nodes: { pairs: Number(value('pairs') ?? 3), pool: 300, rates: numbers(value('pg-rates')) ?? [50], warmupMs: seconds('warmup') ?? 3_000, measureMs: seconds('measure') ?? 10_000 },
  /** Sessions of the profile scenario: the largest rung one SQLite node is known to hold. */
  profileSessions: 1000,
  /** PostgreSQL + Redis on one node: 50 exchanges/s, the A/B's rate. */
  profileSessionsPostgres: 500,
  widgetRuns: full ? 15 : 5,
  p99LimitMs: 100,
  /** Hard stop for the whole run. */
  maxRunMs: full || scenarios.includes('ladder') ? 4 * 3600_000 : scenarios.some((x) => x === 'ab' || x === 'nodes') ? 2 * 3600_000 : 25 * 60_000,
};

const resultsDir = join(benchRoot, 'results');
const logDir = join(resultsDir, 'logs');
const startedAt = new Date();
const lines: string[] = [];
const log = (s: string) => {
  const line = `[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${s}`;
  lines.push(line);
  console.log(line);
};

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds what is missing or older than its sources; a failed build with an existing dist is used as it is (and said so). */
function ensureBuilt(): string[] {
  const notes: string[] = [];
  const force = !!flag('build');
  const server = join(repoRoot, 'packages/server/dist/main.js');
  // tsc -b rewrites only what changed: compare the newest source with the newest output (or build info).
  const built = (pkg: string) =>
    Math.max(newest(join(repoRoot, pkg, 'dist')), existsSync(join(repoRoot, pkg, 'tsconfig.tsbuildinfo')) ? statSync(join(repoRoot, pkg, 'tsconfig.tsbuildinfo')).mtimeMs : 0);
  const stale = !existsSync(server) || newest(join(repoRoot, 'packages/server/src')) > built('packages/server') || newest(join(repoRoot, 'packages/protocol/src')) > built('packages/protocol');
  if (force || stale) {
    log('building @parley/protocol and @parley/server (dist missing or older than src)');
    try {
      execFileSync('npm', ['run', 'build', '-w', '@parley/protocol', '-w', '@parley/server'], { cwd: repoRoot, stdio: 'inherit', timeout: 300_000 });
    } catch {
      if (!existsSync(server)) throw new Error('the server build failed and there is no packages/server/dist: run npm run build');
      notes.push('the server build failed (work in progress in the tree?); the existing packages/server/dist was used');
    }
  }
  if (force || !existsSync(join(repoRoot, 'packages/widgets/dist/widgets.min.js'))) {
    log('building @parley/widgets');
    try {
      execFileSync('npm', ['run', 'build', '-w', '@parley/widgets'], { cwd: repoRoot, stdio: 'inherit', timeout: 300_000 });
    } catch {
      notes.push('the widgets build failed');
    }
  }
  return notes;
}

export interface Results {
  meta: Record<string, unknown>;
  latency: LatencyRow[];
  throughput: ThroughputResult[];
  memory: MemoryRow[];
  widget: WidgetResult | null;
  /** `--only=ab`: this tree's build against a base build, per store. */
  ab: Comparison[];
  /** `--only=nodes`: 3 PostgreSQL nodes against 1. */
  nodes: Comparison | null;
  /** `--only=floor`: CPU per exchange of a server that only makes a v3 exchange's network moves. */
  floor?: FloorResult | null;
  /** `--only=idlepoll`: CPU and counted work of one idle v3 re-poll (against the base build when one is given). */
  idlePoll?: IdlePollResult | null;
  profiles: (ProfileSummary & { scenario: string; file: string; serverCores?: number })[];
  guestV2: { present: boolean; note: string };
  ratios?: ReturnType<typeof ratios>;
}

function latencyConfig(l: { ladder: number[]; warmupMs: number; measureMs: number; maxUnanswered: number }) {
  return {
    ...l,
    perAgent: config.perAgent,
    intervalMs: config.intervalMs,
    customerWorkers: config.customerWorkers,
    agentWorkers: config.agentWorkers,
    sessionsPerCustomerWorker: config.sessionsPerCustomerWorker,
    sessionsPerAgentWorker: config.sessionsPerAgentWorker,
  };
}

async function withSystem<T>(start: () => Promise<Running>, fn: (s: Running) => Promise<T>): Promise<T | null> {
  let sys: Running | null = null;
  try {
    sys = await start();
    return await fn(sys);
  } catch (err) {
    log(`  ${err instanceof Error ? err.message : String(err)}`);
    return null;
  } finally {
    await sys?.stop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  for (const f of readdirSync(logDir)) rmSync(join(logDir, f), { recursive: true, force: true });
  const hardStop = setTimeout(() => {
    log(`hard stop after ${config.maxRunMs / 60_000} min`);
    killAll();
    process.exit(4);
  }, config.maxRunMs);
  hardStop.unref();

  log(`Parley bench, ${mode} mode; scenarios ${scenarios.join(',')}; systems ${systems.join(',')}`);
  const buildNotes = ensureBuilt();
  const guestDir = join(repoRoot, 'packages/server/src/http/guest-v2');
  const guestPresent = existsSync(guestDir);
  const results: Results = {
    meta: {
      mode,
      command: `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`,
      commands: { short: 'npm run bench', full: 'npm run bench -- --full   (or BENCH_MODE=full npm run bench)' },
      startedAt: startedAt.toISOString(),
      git: { commit: git(['rev-parse', 'HEAD']), uncommittedServerFiles: git(['status', '--porcelain', '--', 'packages/server/src', 'packages/protocol/src']).split('\n').filter(Boolean).length },
      machine: machineInfo(),
      server: PARLEY_MAIN,
      ...(scenarios.includes('ab') ? { abBase: abBaseMain ?? null, abCurrent: TREE_MAIN } : {}),
      ...(widgetsBase ? { widgetsBase } : {}),
      config,
      notes: buildNotes,
    },
    latency: [],
    throughput: [],
    memory: [],
    widget: null,
    ab: [],
    nodes: null,
    profiles: [],
    guestV2: {
      present: guestPresent,
      note: guestPresent
        ? 'present (packages/server/src/http/guest-v2): measured as "Parley, SQLite, guest-chat WebSocket": customers create a conversation over REST, receive on the event-stream WebSocket and send over REST; agents as with v3'
        : 'packages/server/src/http/guest-v2 was not present when this run started: the guest-chat WebSocket was not measured',
    },
  };
  log(`machine: ${JSON.stringify(results.meta.machine)}`);
  if (['throughput', 'ab', 'nodes'].some((x) => scenarios.includes(x)) && (systems.includes('pg1') || systems.includes('pg3'))) await dropStaleSchemas(log);
  const openFiles = Number(machineInfo().ulimitNoFile);
  const biggest = Math.max(...(scenarios.includes('ladder') ? config.ladder.ladder : scenarios.includes('latency') ? config.latency.ladder : [0]));
  // One socket per session on the server (plus agents, files, the store); the limit is inherited by every process the bench starts.
  if (Number.isFinite(openFiles) && openFiles < biggest * 1.2 + 1000) {
    const note = `open files limit ${openFiles} is below what ${biggest} sessions need (~${Math.ceil(biggest * 1.2 + 1000)}): raise it (ulimit -n) before the run, the larger rungs will fail`;
    log(note);
    (results.meta.notes as string[]).push(note);
  }
  const o: StartOptions = { logDir };
  const want = (s: string) => systems.includes(s);
  /** Parley's latency ladder on one SQLite node: the v3 long poll, and the guest-chat WebSocket when present. */
  const parleyLadders = async (lc: ReturnType<typeof latencyConfig>) => {
    if (want('parley'))
      results.latency.push(
        ...((await withSystem(
          () => startParley({ ...o, store: 'sqlite' }),
          (s) => latencyLadder('parley', s, lc, logDir, log),
        )) ?? []),
      );
    if (want('guest') && guestPresent)
      results.latency.push(
        ...((await withSystem(
          () => startParley({ ...o, store: 'sqlite', guest: true }),
          (s) => latencyLadder('guest', s, lc, logDir, log),
        )) ?? []),
      );
  };

  if (scenarios.includes('latency')) {
    const lc = latencyConfig(config.latency);
    if (want('ws'))
      results.latency.push(
        ...((await withSystem(
          () => startWsRelay(o),
          (s) => latencyLadder('ws', s, lc, logDir, log),
        )) ?? []),
      );
    if (want('sio'))
      results.latency.push(
        ...((await withSystem(
          () => startSioRelay(o),
          (s) => latencyLadder('sio', s, lc, logDir, log),
        )) ?? []),
      );
    await parleyLadders(lc);
    write(results);
  }

  if (scenarios.includes('throughput')) {
    const tc = { ...config.throughput, perAgent: config.perAgent, customerWorkers: config.customerWorkers, agentWorkers: config.agentWorkers, p99LimitMs: config.p99LimitMs };
    const push = (r: ThroughputResult | null) => r && results.throughput.push(r);
    if (want('ws'))
      push(
        await withSystem(
          () => startWsRelay(o),
          (s) => throughputRamp('ws', s, tc, logDir, log),
        ),
      );
    if (want('sio'))
      push(
        await withSystem(
          () => startSioRelay(o),
          (s) => throughputRamp('sio', s, tc, logDir, log),
        ),
      );
    if (want('parley'))
      push(
        await withSystem(
          () => startParley({ ...o, store: 'sqlite' }),
          (s) => throughputRamp('parley', s, tc, logDir, log),
        ),
      );
    if (want('guest') && guestPresent && config.guestThroughput)
      push(
        await withSystem(
          () => startParley({ ...o, store: 'sqlite', guest: true }),
          (s) => throughputRamp('guest', s, tc, logDir, log),
        ),
      );
    if (want('pg1'))
      push(
        await withSystem(
          () => startParley({ ...o, store: 'postgres', nodes: 1 }),
          (s) => throughputRamp('pg1', s, tc, logDir, log),
        ),
      );
    if (want('pg3'))
      push(
        await withSystem(
          () => startParley({ ...o, store: 'postgres', nodes: 3 }),
          (s) => throughputRamp('pg3', s, tc, logDir, log),
        ),
      );
    write(results);
  }

  if (scenarios.includes('ladder')) {
    // The full ladder alone: Parley on one SQLite node, the v3 long poll and the guest-chat WebSocket.
    const lc = latencyConfig(config.ladder);
    log(`ladder: ${lc.ladder.join(', ')} sessions, ${lc.warmupMs / 1000} s warm-up, ${lc.measureMs / 1000} s measured per rung`);
    await parleyLadders(lc);
    write(results);
  }

  if (scenarios.includes('ab')) {
    if (!abBaseMain || !existsSync(abBaseMain)) {
      const note = `ab: no base build (BENCH_SERVER_MAIN or BENCH_BASE_MAIN = a main.js; got ${abBaseMain ?? 'nothing'}): not run`;
      log(note);
      (results.meta.notes as string[]).push(note);
    } else {
      const a = config.ab;
      const common = {
        pairs: a.pairs,
        pool: a.pool,
        perAgent: config.perAgent,
        customerWorkers: config.customerWorkers,
        agentWorkers: config.agentWorkers,
        warmupMs: a.warmupMs,
        measureMs: a.measureMs,
        concurrent: !!flag('concurrent'),
      };
      const builds = (store: 'sqlite' | 'postgres') => [
        { key: 'current', label: `this tree (${TREE_MAIN})`, start: () => startParley({ ...o, store, main: TREE_MAIN, build: 'this tree' }) },
        { key: 'base', label: `base (${abBaseMain})`, start: () => startParley({ ...o, store, main: abBaseMain, build: 'base' }) },
      ];
      if (want('parley')) {
        results.ab.push(await alternate('SQLite, v3 long poll', builds('sqlite'), { ...common, rates: a.sqliteRates }, logDir, log));
        write(results);
      }
      if (want('pg1')) {
        results.ab.push(await alternate('PostgreSQL + Redis, 1 node, v3 long poll', builds('postgres'), { ...common, rates: a.pgRates }, logDir, log));
        write(results);
      }
    }
  }

  if (scenarios.includes('floor')) {
    log(`floor: a bare server making a v3 exchange's network moves, ${config.floor.sessions} sessions, ${config.floor.rates.join(', ')}/s, ${config.floor.runs} run(s)`);
    results.floor = await runFloor(config.floor, logDir, log);
    write(results);
  }

  if (scenarios.includes('idlepoll')) {
    const c = config.idlePoll;
    const build = (key: string, label: string, main: string) => ({ key, label, start: () => startParley({ ...o, store: 'sqlite', main, longPollMs: c.holdMs, build: label }) });
    const variants = [build('current', `this tree (${TREE_MAIN})`, TREE_MAIN), ...(abBaseMain && existsSync(abBaseMain) ? [build('base', `base (${abBaseMain})`, abBaseMain)] : [])];
    results.idlePoll = await measureIdlePolls(variants, { ...c, pairs: variants.length > 1 ? c.pairs : 1 }, log);
    write(results);
  }

  if (scenarios.includes('nodes')) {
    const n = config.nodes;
    results.nodes = await alternate(
      'PostgreSQL + Redis, 3 nodes against 1, same total rate',
      [
        { key: 'pg3', label: 'PostgreSQL + Redis, 3 nodes', start: () => startParley({ ...o, store: 'postgres', nodes: 3 }) },
        { key: 'pg1', label: 'PostgreSQL + Redis, 1 node', start: () => startParley({ ...o, store: 'postgres', nodes: 1 }) },
      ],
      {
        pairs: n.pairs,
        pool: n.pool,
        perAgent: config.perAgent,
        customerWorkers: config.customerWorkers,
        agentWorkers: config.agentWorkers,
        rates: n.rates,
        warmupMs: n.warmupMs,
        measureMs: n.measureMs,
        concurrent: !!flag('concurrent'),
      },
      logDir,
      log,
    );
    write(results);
  }

  if (scenarios.includes('memory')) {
    const mo: StartOptions = { ...o, inspect: true };
    const n = config.memory.sessions;
    if (want('ws'))
      results.memory.push(
        ...((await withSystem(
          () => startWsRelay(mo),
          (s) => idleMemory('ws', s, n, config.memory.settleMs, logDir, log),
        )) ?? []),
      );
    if (want('sio'))
      results.memory.push(
        ...((await withSystem(
          () => startSioRelay(mo),
          (s) => idleMemory('sio', s, n, config.memory.settleMs, logDir, log),
        )) ?? []),
      );
    if (want('parley'))
      results.memory.push(
        ...((await withSystem(
          () => startParley({ ...mo, store: 'sqlite' }),
          (s) => idleMemory('parley', s, n, config.memory.settleMs, logDir, log),
        )) ?? []),
      );
    if (want('guest') && guestPresent)
      results.memory.push(
        ...((await withSystem(
          () => startParley({ ...mo, store: 'sqlite', guest: true }),
          (s) => idleMemory('guest', s, n, config.memory.settleMs, logDir, log),
        )) ?? []),
      );
    write(results);
  }

  if (scenarios.includes('widget')) {
    results.widget = await withSystem(
      () => startParley({ ...o, store: 'sqlite' }),
      (s) => widgetLoad(s, config.widgetRuns, log, widgetsBase),
    );
    write(results);
  }

  if (scenarios.includes('profile')) {
    // CPU profiles of the Parley process, through the inspector, of exact windows: N handled sessions
    // sitting idle, then the same sessions under the latency load (one message / 10 s each). SQLite
    // always (system `parley`); PostgreSQL + Redis on one node too when `pg1` is among the systems.
    const profDir = join(resultsDir, 'profile');
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
    const targets = [
      { store: 'sqlite' as const, sessions: config.profileSessions, prefix: '', label: 'Parley SQLite' },
      ...(want('pg1') ? [{ store: 'postgres' as const, sessions: config.profileSessionsPostgres, prefix: 'pg1-', label: 'Parley PostgreSQL + Redis, 1 node' }] : []),
    ];
    for (const t of targets) {
      log(`profile: ${t.label}, ${t.sessions} sessions`);
      await withSystem(
        () => startParley({ ...o, store: t.store, nodes: 1, inspect: true }),
        async (s) => {
          const setup = await setUpLoad(s, {
            sessions: t.sessions,
            perAgent: config.perAgent,
            customerWorkers: config.customerWorkers,
            agentWorkers: config.agentWorkers,
            logDir,
            tag: `${t.prefix}profile`,
            log,
          });
          const record = (name: string, scenario: string, profile: object, serverCores: number) => {
            const file = `${t.prefix}${name}.cpuprofile`;
            writeFileSync(join(profDir, file), JSON.stringify(profile));
            const summary = { scenario: `${t.label}: ${scenario}`, file: `bench/results/profile/${file}`, serverCores, ...summarize(profile) };
            results.profiles.push(summary);
            log(
              `  ${name}: server ${serverCores} cores; top ${summary.topFunctions
                .slice(0, 4)
                .map((f) => `${f.fn} ${f.selfPercent}%`)
                .join(', ')}`,
            );
          };
          try {
            const idleMs = 15_000;
            const cpu = new CpuWatch({ server: [s.procs[0]!.pid] });
            const idle = await profileWindow(s.procs[0]!, idleMs);
            record('idle-handled', `${setup.sessions.length} handled sessions (customers long-polling, agents subscribed), nothing sent, ${idleMs / 1000} s`, idle, cpu.stop().serverCores);
            const measureMs = config.latency.measureMs;
            const warmupMs = config.latency.warmupMs;
            const running = setup.run({ intervalMs: config.intervalMs, warmupMs, measureMs, graceMs: 10_000 });
            await sleep(warmupMs + 300);
            const busy = await profileWindow(s.procs[0]!, measureMs);
            const r = await running;
            record(
              'load',
              `${setup.sessions.length} sessions, one message per session every ${config.intervalMs / 1000} s answered at once, ${measureMs / 1000} s (one-way p99 ${r.oneWay.p99} ms under the profiler)`,
              busy,
              r.cpu.serverCores,
            );
          } finally {
            await setup.close(false);
          }
        },
      );
      write(results);
    }
  }

  results.meta.finishedAt = new Date().toISOString();
  results.meta.loadAvgAtEnd = loadAvg();
  write(results);
  log(`wrote ${join(resultsDir, 'latest.json')} and latest.md`);
  clearTimeout(hardStop);
}

function write(r: Results): void {
  r.ratios = ratios(r);
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ ...r, log: lines }, null, 2));
  writeFileSync(join(resultsDir, 'latest.md'), renderMarkdown(r));
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    killAll();
    process.exit(130);
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
