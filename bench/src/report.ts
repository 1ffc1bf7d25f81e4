/** Ratios (Parley / baseline) and the Markdown report. */
import type { Results } from './run.js';
import { formatWork } from './lib/work-scrape.js';
import { renderAb, renderNodes, renderWidgetAb } from './ab-report.js';
import { renderIdlePoll } from './scenarios/idle-poll.js';
import { renderFloor } from './scenarios/floor.js';

const r2 = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : NaN);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Number((a / b).toPrecision(3)) : null);

export function ratios(r: Results) {
  const lat = (system: string, sessions: number) => r.latency.find((x) => x.system === system && x.sessions === sessions && !x.error);
  const latency = [...new Set(r.latency.map((x) => x.sessions))].flatMap((sessions) =>
    ['parley', 'guest']
      .filter((sys) => lat(sys, sessions))
      .map((sys) => {
        const p = lat(sys, sessions);
        const row: Record<string, unknown> = { sessions, system: sys, unanswered: p?.measuredSent ? r2(1 - (p.answered ?? 0) / p.measuredSent) : null, generatorLagP99: p?.generatorLag?.p99 ?? null };
        for (const base of ['ws', 'sio']) {
          const b = lat(base, sessions);
          row[`vs_${base}`] =
            p && b
              ? {
                  oneWayP50: ratio(p.oneWay!.p50, b.oneWay!.p50),
                  oneWayP95: ratio(p.oneWay!.p95, b.oneWay!.p95),
                  oneWayP99: ratio(p.oneWay!.p99, b.oneWay!.p99),
                  roundTripP50: ratio(p.roundTrip!.p50, b.roundTrip!.p50),
                  roundTripP99: ratio(p.roundTrip!.p99, b.roundTrip!.p99),
                  serverCpu: ratio(p.cpu?.serverCores, b.cpu?.serverCores),
                }
              : null;
        }
        return row;
      }),
  );
  const tp = (s: string) => r.throughput.find((x) => x.system === s)?.maxExchangesPerSecond ?? null;
  const cpu = (s: string) => r.throughput.find((x) => x.system === s)?.cpuMsPerExchange ?? null;
  const open = (s: string) => !!r.throughput.find((x) => x.system === s)?.openEnded;
  const throughput: Record<string, unknown> = {};
  for (const p of ['parley', 'guest', 'pg1', 'pg3'])
    throughput[p] = {
      vs_ws: ratio(tp(p), tp('ws')),
      vs_sio: ratio(tp(p), tp('sio')),
      // The baseline did not reach its limit: Parley's share is at most this.
      vs_ws_upperBound: open('ws'),
      vs_sio_upperBound: open('sio'),
      cpuPerExchange_vs_ws: ratio(cpu(p), cpu('ws')),
      cpuPerExchange_vs_sio: ratio(cpu(p), cpu('sio')),
      failedAtLowestRate: !!r.throughput.find((x) => x.system === p) && tp(p) === null,
      lowestRateTried: Math.min(...(r.throughput.find((x) => x.system === p)?.steps ?? []).map((s) => s.targetRate)),
    };
  const mem = (s: string, kind: string) => r.memory.find((x) => x.system === s && x.kind === kind && !x.error);
  const memory: Record<string, unknown> = {};
  for (const [sys, kind] of [
    ['parley', 'long poll'],
    ['parley', 'agent websocket'],
    ['guest', 'guest websocket'],
  ] as const) {
    const p = mem(sys, kind);
    memory[kind] = {
      rss_vs_ws: ratio(p?.rssKbPerSession, mem('ws', 'websocket')?.rssKbPerSession),
      rss_vs_sio: ratio(p?.rssKbPerSession, mem('sio', 'websocket')?.rssKbPerSession),
      heap_vs_ws: ratio(p?.heapKbPerSession, mem('ws', 'websocket')?.heapKbPerSession),
      heap_vs_sio: ratio(p?.heapKbPerSession, mem('sio', 'websocket')?.heapKbPerSession),
    };
  }
  const largest = (s: string) => {
    const ok = r.latency.filter((x) => x.system === s && !x.error && (x.oneWay?.p99 ?? Infinity) <= 100 && (x.lost ?? 1) === 0);
    return ok.length ? Math.max(...ok.map((x) => x.sessions)) : null;
  };
  // A system that passed every rung of the ladder may hold more: its figure is a lower bound.
  const passedAll = (s: string) => {
    const rows = r.latency.filter((x) => x.system === s);
    return rows.length > 0 && largest(s) === Math.max(...rows.map((x) => x.sessions));
  };
  const held = { parley: largest('parley'), guest: largest('guest'), ws: largest('ws'), sio: largest('sio') };
  const capacity = {
    ...held,
    vs_ws: ratio(held.parley, held.ws),
    vs_sio: ratio(held.parley, held.sio),
    guest_vs_ws: ratio(held.guest, held.ws),
    guest_vs_sio: ratio(held.guest, held.sio),
    openEnded: Object.fromEntries(Object.keys(held).map((s) => [s, passedAll(s)])),
  };
  const widget = r.widget ? { usableOverEmptyPage: ratio(r.widget.median.chatUsableMs, r.widget.median.emptyPageLoadMs) } : null;
  return { latency, throughput, memory, capacity, widget };
}

const f = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? (Math.round(v * 10 ** d) / 10 ** d).toLocaleString('en-US') : v == null ? '–' : String(v));
const x = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${v !== 0 && Math.abs(v) < 0.1 ? Number(v.toPrecision(2)) : f(v, 2)}×` : '–');

function callerLines(callers: { fn: string; where: string; paths: { path: string; percent: number }[] }[] | undefined): string[] {
  if (!callers?.length) return [];
  return [
    'Who calls the top functions (callers nearest first, % of all samples):',
    '',
    ...callers.slice(0, 3).flatMap((c) => [`- \`${c.fn}\` (${c.where}):`, ...c.paths.map((p) => `  - ${p.percent} %: ${p.path}`)]),
  ];
}

export function renderMarkdown(r: Results): string {
  const m = r.meta as any;
  const ra = r.ratios ?? ratios(r);
  const out: string[] = [];
  const add = (...l: string[]) => out.push(...l);
  const systemsLabel: Record<string, string> = {};
  for (const l of r.latency) systemsLabel[l.system] = l.label;
  for (const t of r.throughput) systemsLabel[t.system] = t.label;

  add(`# Parley bench: ${m.mode} mode, ${m.startedAt}`, '');
  add(
    `Command: \`${m.command}\` (short: \`${m.commands.short}\`; full: \`${m.commands.full}\`). Commit \`${String(m.git.commit).slice(0, 10)}\`${m.git.uncommittedServerFiles ? `, with ${m.git.uncommittedServerFiles} uncommitted file(s) under packages/server/src or packages/protocol/src (other developers' work in progress)` : ''}.`,
    '',
  );
  const mc = m.machine;
  add(
    `Machine: ${mc.nproc} cores (${mc.cpuModel}), ${mc.memoryGiB} GiB, Linux ${mc.kernel}; Node ${mc.node}; ${mc.chromium}; PostgreSQL ${mc.postgres}; Redis ${String(mc.redis).replace('redis_version:', '')}; socket.io ${mc.socketIo}; ws ${mc.ws}; open files limit ${mc.ulimitNoFile}.`,
    '',
  );
  add(
    `**Load note.** Everything (servers under test, load generators, Chromium) shares these ${mc.nproc} cores, and other developers' tests ran on the machine at the same time: load average ${mc.loadAvgAtStart?.join(' / ')} at the start${m.loadAvgAtEnd ? `, ${m.loadAvgAtEnd.join(' / ')} at the end` : ''}. The "foreign" CPU column of each run is what processes other than this bench used during its measuring window: figures measured while it was high are noisy. Ratios between systems measured in the same run are more trustworthy than absolute numbers. PostgreSQL and Redis run as the machine's shared services: the PostgreSQL backends that serve the system under test are measured apart (the PostgreSQL columns, listed again every second as the pool replaces connections) and left out of foreign; Redis and the rest of PostgreSQL count as foreign, never as server CPU.`,
    '',
  );
  if (m.notes?.length) add(...m.notes.map((n: string) => `- Note: ${n}`), '');

  // ---- ratios first: this tree against the base build, then nodes, then the baselines ----
  add(...renderAb(r.ab ?? [], m));
  add(...renderNodes(r.nodes ?? null));
  add(...renderIdlePoll(r.idlePoll ?? null));
  add(...renderFloor(r.floor));
  add('## Parley / baseline ratios', '');
  add('Lower is better for latency and memory (1.00× = as good as the baseline); higher is better for throughput and capacity.', '');
  add('| figure | Parley / ws relay | Parley / Socket.IO relay |', '| --- | --- | --- |');
  for (const row of ra.latency as any[]) {
    const via = `${row.system === 'guest' ? ' (guest-chat WebSocket)' : ' (v3 long poll)'}${row.unanswered > 0.001 ? ` — past capacity: ${Math.round(row.unanswered * 100)} % unanswered` : ''}${row.generatorLagP99 > 50 ? `, the load generator saturated too (${f(row.generatorLagP99 / 1000, 1)} s late, p99)` : ''}`;
    add(`| one-way latency p50, ${f(row.sessions, 0)} sessions${via} | ${x(row.vs_ws?.oneWayP50)} | ${x(row.vs_sio?.oneWayP50)} |`);
    add(`| one-way latency p99, ${f(row.sessions, 0)} sessions${via} | ${x(row.vs_ws?.oneWayP99)} | ${x(row.vs_sio?.oneWayP99)} |`);
    add(`| round trip p99, ${f(row.sessions, 0)} sessions${via} | ${x(row.vs_ws?.roundTripP99)} | ${x(row.vs_sio?.roundTripP99)} |`);
    add(`| server CPU, ${f(row.sessions, 0)} sessions${via} | ${x(row.vs_ws?.serverCpu)} | ${x(row.vs_sio?.serverCpu)} |`);
  }
  const tpr = ra.throughput as any;
  const tx = (t: any, base: 'ws' | 'sio') =>
    t?.failedAtLowestRate ? `0 (failed at the lowest rate tried, ${f(t.lowestRateTried, 0)}/s)` : `${t?.[`vs_${base}_upperBound`] && t?.[`vs_${base}`] != null ? '≤ ' : ''}${x(t?.[`vs_${base}`])}`;
  for (const [k, name] of [
    ['parley', 'SQLite, v3 long poll'],
    ['guest', 'SQLite, guest-chat WebSocket'],
    ['pg1', 'PostgreSQL + Redis, 1 node'],
    ['pg3', 'PostgreSQL + Redis, 3 nodes'],
  ] as const) {
    if (!tpr[k] || !r.throughput.some((t) => t.system === k)) continue;
    add(`| throughput with p99 ≤ 100 ms, ${name} | ${tx(tpr[k], 'ws')} | ${tx(tpr[k], 'sio')} |`);
    add(`| server CPU per message exchanged, ${name} | ${x(tpr[k].cpuPerExchange_vs_ws)} | ${x(tpr[k].cpuPerExchange_vs_sio)} |`);
  }
  const mr = ra.memory as any;
  add(`| RSS per idle session, long poll | ${x(mr['long poll']?.rss_vs_ws)} | ${x(mr['long poll']?.rss_vs_sio)} |`);
  add(`| heap per idle session, long poll | ${x(mr['long poll']?.heap_vs_ws)} | ${x(mr['long poll']?.heap_vs_sio)} |`);
  add(`| RSS per idle session, guest-chat WebSocket | ${x(mr['guest websocket']?.rss_vs_ws)} | ${x(mr['guest websocket']?.rss_vs_sio)} |`);
  add(`| heap per idle session, guest-chat WebSocket | ${x(mr['guest websocket']?.heap_vs_ws)} | ${x(mr['guest websocket']?.heap_vs_sio)} |`);
  add(`| RSS per idle agent WebSocket | ${x(mr['agent websocket']?.rss_vs_ws)} | ${x(mr['agent websocket']?.rss_vs_sio)} |`);
  add(`| heap per idle agent WebSocket | ${x(mr['agent websocket']?.heap_vs_ws)} | ${x(mr['agent websocket']?.heap_vs_sio)} |`);
  const cap = ra.capacity as any;
  // Parley / an open-ended baseline is at most the ratio; an open-ended Parley over a bounded baseline at least.
  const capX = (v: unknown, sys: string, base: string) => `${cap.openEnded[base] && !cap.openEnded[sys] ? '≤ ' : !cap.openEnded[base] && cap.openEnded[sys] ? '≥ ' : ''}${x(v)}`;
  add(`| sessions one node holds with p99 < 100 ms (largest passing rung), v3 long poll | ${capX(cap.vs_ws, 'parley', 'ws')} | ${capX(cap.vs_sio, 'parley', 'sio')} |`);
  if (cap.guest != null)
    add(`| sessions one node holds with p99 < 100 ms (largest passing rung), guest-chat WebSocket | ${capX(cap.guest_vs_ws, 'guest', 'ws')} | ${capX(cap.guest_vs_sio, 'guest', 'sio')} |`);
  add('');
  add(`Guest-chat WebSocket (guest-v2): ${r.guestV2.note}.`, '');

  // ---- latency ----
  if (r.latency.length) {
    add('## 1. End-to-end delivery latency', '');
    add(
      `One message per session every ${(m.config.intervalMs / 1000).toFixed(0)} s (phases spread evenly), answered at once by its agent; ${m.config.perAgent} sessions per agent connection. Parley: customers on the consumer API long poll (Chat API v3, form bodies, default LONG_POLL_MS), agents on the agent WebSocket (accept over REST, \`subscribe\` per session, replies over REST); SQLite. Baselines: customers and agents on WebSockets. Warm-up ${m.config.latency.warmupMs / 1000} s, then ${m.config.latency.measureMs / 1000} s measured. Milliseconds.`,
      '',
    );
    add(
      '| system | sessions | agents | c→a p50 / p95 / p99 / max | a→c p50 / p95 / p99 / max | round trip p50 / p95 / p99 / max | answered | lost | send ack p99 | server CPU (cores) | load generators CPU | foreign CPU | server RSS MB |',
      '| --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const l of r.latency) {
      if (l.error) {
        add(`| ${l.label} | ${f(l.sessions, 0)} | | ${l.error.startsWith('not run') ? '' : 'failed: '}${l.error.replace(/\|/g, '/')} | | | | | | | | | |`);
        continue;
      }
      const s = (q: any) => `${f(q.p50)} / ${f(q.p95)} / ${f(q.p99)} / ${f(q.max)}`;
      add(
        `| ${l.label} | ${f(l.sessions, 0)} | ${f(l.agents, 0)} | ${s(l.customerToAgent)} | ${s(l.agentToCustomer)} | ${s(l.roundTrip)} | ${l.answered}/${l.measuredSent} | ${l.lost} | ${f(l.sendAck?.p99)} | ${f(l.cpu?.serverCores, 2)} | ${f(l.cpu?.generatorsCores, 2)} | ${f(l.cpu?.foreignCores, 2)} | ${l.serverRssMb?.join('–')} |`,
      );
    }
    add('');
    const held = (s: string) => `${cap.openEnded[s] ? '≥ ' : ''}${f(cap[s as 'ws'], 0)}`;
    add(
      `Largest number of concurrent sessions one node held with one-way p99 < 100 ms and nothing lost (the largest passing rung of this mode's ladder; "≥" where every rung passed): Parley ${held('parley')} (v3 long poll), ${held('guest')} (guest-chat WebSocket), ws relay ${held('ws')}, Socket.IO relay ${held('sio')}.`,
      '',
    );
  }

  // ---- throughput ----
  if (r.throughput.length) {
    add('## 2. Throughput before p99 exceeds 100 ms', '');
    add(
      `A pool of ${m.config.throughput.pool} sessions (${m.config.perAgent} per agent); the rate of customer messages starts at ${m.config.throughput.startRate}/s and is multiplied by ${m.config.throughput.factor} step by step (${m.config.throughput.warmupMs / 1000} s warm-up, then at least ${m.config.throughput.measureMs / 1000} s and ${m.config.throughput.minSamples} messages measured, at most ${m.config.throughput.maxMeasureMs / 1000} s) until a step fails: one-way p99 > ${m.config.p99LimitMs} ms, more than 0.1 % unanswered, the achieved rate under 90 % of the target, or the load generator itself lagging. The interval between the last passing and the first failing rate is then bisected ${m.config.throughput.refineSteps} time(s). A step that fails on its tail alone (p95 within the limit, nothing lost) is run once more before it counts (marked ↻). Every customer message is persisted (Parley) and delivered to the agent, whose answer is persisted and delivered back: messages delivered per second = 2 × exchanges per second. Clients are spread round-robin over the nodes; an agent's node is usually not its customers' node (cross-node fan-out through Redis).`,
      '',
    );
    add(
      '| system | max exchanges/s | max messages/s | server CPU ms per exchange | counted work per exchange (transactions, statements, PostgreSQL round trips, Redis commands) | stopped because | steps in the order run (target → achieved/s, one-way p99 ms, server CPU cores) |',
      '| --- | ---: | ---: | ---: | --- | --- | --- |',
    );
    for (const t of r.throughput) {
      const steps = t.steps
        .map(
          (s) =>
            `${s.repeated ? '↻ ' : ''}${f(s.targetRate, 0)}→${f(s.achievedRate, 0)}, ${f(s.oneWay.p99)}, ${f(s.cpu?.serverCores, 2)}${s.db ? ` (PG ${f(s.db.scansPerSecond, 0)} scans/s, ${f(s.db.updatesPerSecond, 0)} updates/s)` : ''}`,
        )
        .join('; ');
      add(
        `| ${t.label} | ${t.openEnded ? '≥ ' : ''}${f(t.maxExchangesPerSecond, 0)} | ${t.openEnded ? '≥ ' : ''}${f(t.maxMessagesPerSecond, 0)} | ${f(t.cpuMsPerExchange, 3)} | ${t.system === 'ws' || t.system === 'sio' ? '' : formatWork(t.workPerExchange)} | ${(t.error ? `error: ${t.error}` : t.stoppedBecause).replace(/\|/g, '/')} | ${steps} |`,
      );
    }
    add('');
  }

  // ---- memory ----
  if (r.memory.length) {
    add('## 3. Memory per idle connected session', '');
    add(
      'Server RSS (median of 5 samples) and V8 heap after a full GC (through the inspector) before and after N idle sessions, divided by N. Parley long poll: N started sessions each holding its long poll; Parley agent WebSocket: then N agent connections (one account), each authenticated and subscribed to one of those sessions, measured over the long-poll state. Baselines: N customer WebSocket connections.',
      '',
    );
    add(
      '| system | kind | sessions | RSS before → after MB | heap before → after MB | RSS kB / session | heap kB / session | idle server CPU before → after (cores) |',
      '| --- | --- | ---: | --- | --- | ---: | ---: | --- |',
    );
    for (const mm of r.memory)
      add(
        `| ${mm.label} | ${mm.kind} | ${f(mm.sessions, 0)} | ${f(mm.before.rssMb)} → ${f(mm.after.rssMb)} | ${f(mm.before.heapUsedMb)} → ${f(mm.after.heapUsedMb)} | ${f(mm.rssKbPerSession)} | ${f(mm.heapKbPerSession)} | ${f(mm.idleCpuBefore, 3)} → ${f(mm.idleCpuAfter, 3)} |${mm.error ? ` ${mm.error}` : ''}`,
      );
    add('');
    for (const mm of r.memory.filter((x) => x.idleProfile)) {
      const p = mm.idleProfile!;
      add(
        `Where ${mm.label} spends its CPU while ${f(mm.sessions, 0)} ${mm.kind} sessions sit idle (V8 profile of the idle window, \`${p.file}\`; idle ${p.idlePercent} %, GC ${p.gcPercent} %): ${p.topFunctions
          .slice(0, 6)
          .map((t) => `${t.fn} (${t.where}) ${t.selfPercent} %`)
          .join('; ')}.`,
        '',
      );
      add(...callerLines(p.callers), '');
    }
  }

  // ---- widget ----
  if (r.widget) {
    const w = r.widget;
    add('## 5. Widget', '');
    add('| file (packages/widgets/dist) | bytes | gzip -9 | brotli |', '| --- | ---: | ---: | ---: |');
    for (const file of w.files) add(`| ${file.file} | ${f(file.bytes, 0)} | ${f(file.gzipBytes, 0)} | ${f(file.brotliBytes, 0)} |`);
    add('');
    add(
      `Headless Chromium, a fresh context (cold cache) per run, median of ${w.chatUsableMs.length} runs, from navigation start: empty page loaded **${f(w.median.emptyPageLoadMs)} ms**; page with the widget loaded ${f(w.median.widgetPageLoadMs)} ms; chat window open ${f(w.median.chatOpenMs)} ms; chat usable (started on the server, input enabled) **${f(w.median.chatUsableMs)} ms**, i.e. ${f(w.median.usableOverEmptyMs)} ms after an empty page would have loaded.${w.error ? ` Error: ${w.error}` : ''}`,
      '',
    );
    add(...renderWidgetAb(w.ab));
  }

  // ---- profiles ----
  for (const p of r.profiles ?? []) {
    add(`## Profile of the Parley server: ${p.scenario}`, '');
    add(
      `V8 sampling profile through the inspector of exactly this window: server CPU ${f(p.serverCores, 2)} cores, ${f(p.totalMs / 1000)} s profiled, idle ${p.idlePercent} %, GC ${p.gcPercent} %. Open \`${p.file}\` in Chrome DevTools for the full tree.`,
      '',
    );
    add('| function (self time) | where | self % |', '| --- | --- | ---: |');
    for (const t of p.topFunctions.slice(0, 15)) add(`| ${t.fn} | ${t.where} | ${t.selfPercent} |`);
    add('', '| file (self time) | self % |', '| --- | ---: |');
    for (const t of p.topFiles.slice(0, 10)) add(`| ${t.file} | ${t.selfPercent} |`);
    add('', ...callerLines(p.callers), '');
  }
  return out.join('\n') + '\n';
}
