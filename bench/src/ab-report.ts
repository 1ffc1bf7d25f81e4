/** The report's side-by-side sections: this tree against a base build, 3 PostgreSQL nodes against 1 (with the projection for N), the widget A/B. */
import { median, summarizeSamples, type Comparison } from './scenarios/ab.js';
import type { WidgetAb } from './scenarios/widget.js';
import { formatWork } from './lib/work-scrape.js';

const n = (v: number | null | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '–' : String(Math.round(v * 10 ** d) / 10 ** d));

/** Per-node overhead and PostgreSQL's share from the 1-node and 3-node figures, projected linearly to N nodes. */
export function projectNodes(one: { parleyMs: number; postgresMs: number | null }, three: { parleyMs: number; postgresMs: number | null }, counts: number[]) {
  const perNodeParley = (three.parleyMs - one.parleyMs) / 2;
  const perNodePostgres = one.postgresMs != null && three.postgresMs != null ? (three.postgresMs - one.postgresMs) / 2 : null;
  return counts.map((nodes) => {
    const parleyMs = one.parleyMs + (nodes - 1) * perNodeParley;
    const postgresMs = one.postgresMs != null && perNodePostgres != null ? one.postgresMs + (nodes - 1) * perNodePostgres : null;
    return {
      nodes,
      parleyMs,
      postgresMs,
      /** N nodes of one core each, all busy. */
      parleyCapacity: parleyMs > 0 ? (nodes * 1000) / parleyMs : null,
      /** PostgreSQL with one core, all busy. */
      postgresCapacityPerCore: postgresMs && postgresMs > 0 ? 1000 / postgresMs : null,
      postgresShare: postgresMs != null ? postgresMs / (parleyMs + postgresMs) : null,
    };
  });
}

function comparisonLines(c: Comparison, what: (key: string) => string): string[] {
  const [a, b] = c.variants.map((v) => v.key) as [string, string];
  const out: string[] = [];
  out.push(
    `| rate | ${what(a)} / ${what(b)}, Parley CPU per exchange | PostgreSQL backends' CPU per exchange | ${what(a)}: Parley ms, PostgreSQL ms, one-way p99 | ${what(b)}: Parley ms, PostgreSQL ms, one-way p99 | counted work per exchange, ${what(a)} | counted work, ${what(b)} |`,
    '| ---: | ---: | ---: | --- | --- | --- | --- |',
  );
  const hints: string[] = [];
  // Recomputed from the samples, so a recorded run renders with the current summary.
  for (const r of summarizeSamples([a, b], c.config.rates, c.samples)) {
    const m = (k: string) => r.medians[k];
    const cell = (k: string) => `${n(m(k)?.cpuMsPerExchange, 3)}, ${n(m(k)?.postgresMsPerExchange, 3)}, ${n(m(k)?.oneWayP99, 1)} ms (${m(k)?.n ?? 0} runs)`;
    const work = (k: string) => (!m(k)?.n ? '–' : m(k)!.work ? formatWork(m(k)!.work) : 'not counted (the build exports no counters)');
    out.push(`| ${r.rate}/s | **${n(r.cpuRatio, 2)}** | ${n(r.postgresRatio, 2)} | ${cell(a)} | ${cell(b)} | ${work(a)} | ${work(b)} |`);
    if (r.allRuns.cpuRatio != null && (m(a)?.n ?? 0) + (m(b)?.n ?? 0) < 2 * c.config.pairs)
      hints.push(
        `- ${r.rate}/s over every run that reached half the rate (unequal load: a hint only): Parley ${n(r.allRuns.cpuRatio, 2)} (${what(a)} ${n(r.allRuns.cpuMs[a], 3)} ms, ${what(b)} ${n(r.allRuns.cpuMs[b], 3)} ms)${r.allRuns.postgresRatio != null ? `, PostgreSQL ${n(r.allRuns.postgresRatio, 2)}` : ''}`,
      );
    if (c.config.concurrent && r.pairCpuRatios.length)
      hints.push(
        `- ${r.rate}/s side by side, each pair's ratio from one window: Parley ${r.pairCpuRatios.join(', ')} (median ${n(median(r.pairCpuRatios), 3)})${r.pairPostgresRatios.length ? `, PostgreSQL ${r.pairPostgresRatios.join(', ')} (median ${n(median(r.pairPostgresRatios), 3)})` : ''}`,
      );
  }
  if (hints.length) out.push('', ...hints);
  out.push('', `Every run (pair, build, rate: achieved/s, one-way p99 ms, Parley cores, PostgreSQL backends' cores, all PostgreSQL processes' cores, foreign cores, load average):`, '');
  for (const s of c.samples)
    out.push(
      `- pair ${s.pair}, ${s.variant}, ${s.rate}/s: ${s.error ? `failed: ${s.error}` : `${s.achievedRate}/s, p99 ${n(s.oneWayP99, 1)} ms, Parley ${n(s.serverCores)} (${n(s.cpuMsPerExchange, 3)} ms/exchange), PostgreSQL ${n(s.postgresCores)} (${n(s.postgresMsPerExchange, 3)} ms/exchange), all PostgreSQL ${n(s.postgresAllCores)}, foreign ${n(s.foreignCores)}, load ${n(s.loadAvg1)}${s.unanswered > 0.001 ? `, ${Math.round(s.unanswered * 1000) / 10} % unanswered` : ''}${s.atRate ? '' : ' — **not at the rate** (left out of the medians)'}`}`,
    );
  return out;
}

export function renderAb(ab: Comparison[], meta: { abBase?: string | null; abCurrent?: string }): string[] {
  if (!ab.length) return [];
  const out: string[] = ['## This tree against the base build (A/B at fixed rates)', ''];
  out.push(
    `This tree (\`${meta.abCurrent}\`) against the base (\`${meta.abBase}\`), fresh servers for each build, ${ab[0]!.config.pairs} pairs in alternating order, ${ab[0]!.config.pool} sessions, ${ab[0]!.config.warmupMs / 1000} s warm-up and ${ab[0]!.config.measureMs / 1000} s measured per rate; medians over the pairs. CPU per exchange = CPU time ÷ exchanges answered in the window (equal load, so the builds compare; a run that did not reach 90 % of the rate with 99 % answered is listed but left out of the medians). Lower ratio is better: 0.25 = 4× less CPU.`,
    '',
  );
  for (const c of ab) {
    const firsts = summarizeSamples(
      c.variants.map((v) => v.key),
      c.config.rates,
      c.samples,
    )
      .map((r) => `${r.rate}/s: **${n(r.cpuRatio, 2)}**${r.postgresRatio != null ? ` (PostgreSQL ${n(r.postgresRatio, 2)})` : ''}`)
      .join('; ');
    out.push(`### ${c.title}: this tree / base CPU per exchange ${firsts}`, '');
    out.push(...comparisonLines(c, (k) => (k === 'current' ? 'this tree' : 'base')), '');
  }
  return out;
}

export function renderNodes(c: Comparison | null): string[] {
  if (!c) return [];
  const out: string[] = [`## ${c.title}`, ''];
  out.push(
    `The same total rate spread over 3 nodes (clients round-robin over the nodes, an agent usually on another node than its customers) and on 1 node, ${c.config.pairs} pairs ${c.config.concurrent ? 'side by side (both systems at once in each window, each with its own sessions)' : 'alternating'}, ${c.config.pool} sessions${c.config.concurrent ? ' each' : ''}. Parley CPU is summed over the nodes. On a 2-core machine this measures the cost of the cross-node machinery, not added capacity.`,
    '',
  );
  out.push(...comparisonLines(c, (k) => (k === 'pg3' ? '3 nodes' : '1 node')), '');
  const r = summarizeSamples(['pg3', 'pg1'], c.config.rates, c.samples)[0];
  const one = r?.medians.pg1;
  const three = r?.medians.pg3;
  if (one?.cpuMsPerExchange != null && three?.cpuMsPerExchange != null) {
    const rows = projectNodes(
      { parleyMs: one.cpuMsPerExchange, postgresMs: one.postgresMsPerExchange },
      { parleyMs: three.cpuMsPerExchange, postgresMs: three.postgresMsPerExchange },
      [1, 2, 3, 5, 10, 20],
    );
    out.push(
      `**Projection for N nodes** (from ${r!.rate}/s, linear in N: the per-node overhead is (3-node − 1-node)/2 per exchange; each node one core; PostgreSQL's capacity per core it is given):`,
      '',
      '| nodes | Parley ms/exchange (summed) | PostgreSQL ms/exchange | PostgreSQL share of the CPU | exchanges/s the nodes can do | exchanges/s per PostgreSQL core |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (p) =>
          `| ${p.nodes} | ${n(p.parleyMs, 3)} | ${n(p.postgresMs, 3)} | ${p.postgresShare == null ? '–' : `${Math.round(p.postgresShare * 100)} %`} | ${n(p.parleyCapacity, 0)} | ${n(p.postgresCapacityPerCore, 0)} |`,
      ),
      '',
      'Capacity grows with the nodes until the database is the bottleneck: past the node count where "exchanges/s the nodes can do" exceeds PostgreSQL\'s cores × its per-core figure, more nodes add nothing.',
      '',
    );
  }
  return out;
}

export function renderWidgetAb(ab: WidgetAb | undefined): string[] {
  if (!ab) return [];
  return [
    `**Widget A/B** (BENCH_WIDGETS_BASE=\`${ab.baseDir}\`): time from navigation start to a usable chat, this tree ${n(ab.current.medianUsableMs, 1)} ms, base ${n(ab.base.medianUsableMs, 1)} ms: **${n(ab.usableRatio, 2)}×** (medians of ${ab.current.chatUsableMs.length} alternating runs; both builds' files served from disk by the browser's request routing, the API by this tree's server); open ${n(ab.current.medianOpenMs, 1)} against ${n(ab.base.medianOpenMs, 1)} ms; widgets.min.js + .css gzip ${(ab.current.gzipBytes / 1024).toFixed(1)} against ${(ab.base.gzipBytes / 1024).toFixed(1)} KiB.${ab.error ? ` Failed part-way: ${ab.error}` : ''}`,
    '',
  ];
}
