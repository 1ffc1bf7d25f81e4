import type { DayReport, ReportFigures } from '@parley/protocol';

/** A CSV cell: quoted when needed; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const HEADER = ['Scope', 'Name', 'Offered', 'Handled', 'Abandoned', 'Waiting', 'Declined', 'Average wait (s)', 'Average handle (s)'];

const figures = (f: ReportFigures) => [f.offered, f.handled, f.abandoned, f.waiting, null, f.averageWaitSeconds, f.averageHandleSeconds];

/** The day report as CSV: the total, one row per queue, one per agent. */
export function reportCsv(r: DayReport): string {
  const rows: (string | number | null)[][] = [HEADER, ['Total', 'All queues', ...figures(r.totals)]];
  for (const q of r.queues) rows.push(['Queue', q.queue, ...figures(q)]);
  for (const a of r.agents) rows.push(['Agent', a.displayName, null, a.handled, null, null, a.declined, null, a.averageHandleSeconds]);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
