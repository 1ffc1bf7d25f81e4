/**
 * The server's counted work, read from its Prometheus `/metrics` (METRICS_TOKEN): store transactions,
 * statements and round trips, Redis commands by name (the fan-out's and the rate limits'), and the customer texts persisted (the
 * exchanges they divide into). Summed over the nodes of a system.
 */

/** Counter totals by key: `store:<kind>`, `redis:<COMMAND>`, `texts`. */
export type WorkTotals = Record<string, number>;

const LINE = /^(parley_store_work_total|parley_fanout_commands_total|parley_limits_commands_total|parley_messages_persisted_total)\{(?:kind|command|type)="([^"]*)"\} (\S+)$/;

export function parseWork(exposition: string): WorkTotals {
  const out: WorkTotals = {};
  for (const line of exposition.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, name, label, value] = m;
    const key =
      name === 'parley_store_work_total' ? `store:${label}` : name === 'parley_fanout_commands_total' || name === 'parley_limits_commands_total' ? `redis:${label}` : label === 'Text' ? 'texts' : null;
    if (key) out[key] = (out[key] ?? 0) + Number(value);
  }
  return out;
}

export function sumWork(all: WorkTotals[]): WorkTotals {
  const out: WorkTotals = {};
  for (const w of all) for (const [k, v] of Object.entries(w)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Work per exchange between two readings: each exchange persists two texts (the customer's and the
 * agent's answer), so the divisor is counted by the same server in the same window. Null when the
 * server exports no work counters (an older build) or nothing was exchanged.
 */
export function workPerExchange(before: WorkTotals, after: WorkTotals): Record<string, number> | null {
  const exchanges = ((after.texts ?? 0) - (before.texts ?? 0)) / 2;
  if (exchanges <= 0) return null;
  const out: Record<string, number> = {};
  for (const key of Object.keys(after)) {
    if (key === 'texts') continue;
    out[key] = Math.round((((after[key] ?? 0) - (before[key] ?? 0)) / exchanges) * 100) / 100;
  }
  if (!('store:transactions' in out)) return null;
  return out;
}

/** `16 tx, 44 st, 79 rt, 5 PUBLISH` */
export function formatWork(w: Record<string, number> | null | undefined): string {
  if (!w) return 'n/a';
  const parts = [`${w['store:transactions'] ?? 0} tx`, `${w['store:statements'] ?? 0} st`];
  if (w['store:round_trips']) parts.push(`${w['store:round_trips']} rt`);
  for (const [k, v] of Object.entries(w)) if (k.startsWith('redis:') && v > 0) parts.push(`${v} ${k.slice('redis:'.length)}`);
  return parts.join(', ');
}
