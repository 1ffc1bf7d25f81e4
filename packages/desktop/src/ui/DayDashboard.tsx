import type { DayReport } from '@parley/protocol';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { useDesktop } from './context.js';
import { reportCsv } from './report-csv.js';

/** Today in local time as a date input's value. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The local day `day` (YYYY-MM-DD) as the instants it starts and ends. */
function dayBounds(day: string): { from: string; to: string } {
  const start = new Date(`${day}T00:00:00`);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

const secs = (s: number | null) => (s === null ? '—' : `${s} s`);

/**
 * The supervisors' dashboard of a day: chats offered, handled, abandoned and waiting, average wait
 * and handle time, per queue and per agent, with a CSV export. It reloads when the live overview
 * changes (the agent socket pushes it), so the day's figures follow without a reload.
 */
export function DayDashboard() {
  const [desktop, state] = useDesktop();
  const [day, setDay] = useState(today);
  const [report, setReport] = useState<DayReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    const { from, to } = dayBounds(day);
    try {
      setReport(await desktop.api.report(from, to));
      setError(null);
    } catch (err) {
      if (!(err instanceof ApiError && err.httpStatus === 401)) setError(`The report could not be loaded: ${(err as Error).message}`);
    }
  }, [desktop, day]);

  // A new overview (something changed in queues, agents or sessions) reloads the figures; a burst of them, once.
  useEffect(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 300);
  }, [state.overview, load]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );

  const exportCsv = () => {
    if (!report) return;
    const url = URL.createObjectURL(new Blob([reportCsv(report)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `parley-report-${day}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section class="panel dashboard" aria-labelledby="dash-title">
      <div class="row">
        <h3 id="dash-title">Dashboard of the day</h3>
        <label>
          Day <input type="date" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" onClick={() => void load()}>
          Reload figures
        </button>
        <button type="button" onClick={exportCsv} disabled={!report}>
          Export CSV
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          {report.truncated && <p class="muted">More chats than one report reads: the figures cover the first 20,000.</p>}
          <table aria-labelledby="dash-queues" data-testid="report-queues">
            <caption id="dash-queues">Chats per queue</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Offered</th>
                <th scope="col">Handled</th>
                <th scope="col">Abandoned</th>
                <th scope="col">Waiting</th>
                <th scope="col">Average wait</th>
                <th scope="col">Average handle time</th>
              </tr>
            </thead>
            <tbody>
              {[{ ...report.totals, queue: 'All queues', deploymentId: '' }, ...report.queues].map((q) => (
                <tr key={`${q.deploymentId}/${q.queue}`} data-queue={q.queue}>
                  <th scope="row">{q.queue}</th>
                  <td data-figure="offered">{q.offered}</td>
                  <td data-figure="handled">{q.handled}</td>
                  <td data-figure="abandoned">{q.abandoned}</td>
                  <td data-figure="waiting">{q.waiting}</td>
                  <td data-figure="averageWaitSeconds">{secs(q.averageWaitSeconds)}</td>
                  <td data-figure="averageHandleSeconds">{secs(q.averageHandleSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-labelledby="dash-agents" data-testid="report-agents">
            <caption id="dash-agents">Chats per agent</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Handled</th>
                <th scope="col">Declined or missed</th>
                <th scope="col">Average handle time</th>
              </tr>
            </thead>
            <tbody>
              {report.agents.map((a) => (
                <tr key={a.accountId} data-agent={a.displayName}>
                  <th scope="row">{a.displayName}</th>
                  <td data-figure="handled">{a.handled}</td>
                  <td data-figure="declined">{a.declined}</td>
                  <td data-figure="averageHandleSeconds">{secs(a.averageHandleSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
