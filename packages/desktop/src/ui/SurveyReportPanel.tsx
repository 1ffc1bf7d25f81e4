import { useEffect, useState } from 'preact/hooks';
import type { SurveyReport } from '@parley/protocol';
import { useDesktop } from './context.js';

const DAY = 86_400_000;

/** Satisfaction over the last days: surveys answered, count and average rating per queue or agent. */
export function SurveyReportPanel() {
  const [desktop] = useDesktop();
  const [days, setDays] = useState(7);
  const [groupBy, setGroupBy] = useState<'queue' | 'agent'>('queue');
  const [report, setReport] = useState<SurveyReport | null>(null);
  const [failed, setFailed] = useState(false);
  const load = () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - days * DAY).toISOString();
    desktop.api.surveyReport(from, to, groupBy).then(
      (r) => {
        setReport(r.report);
        setFailed(false);
      },
      () => setFailed(true),
    );
  };
  useEffect(load, [days, groupBy]);
  return (
    <section class="panel survey-report" aria-labelledby="survey-report-title">
      <div class="row">
        <h3 id="survey-report-title">Satisfaction</h3>
        <label for="survey-days">Period</label>
        <select id="survey-days" value={String(days)} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
          <option value="1">Last 24 hours</option>
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
        </select>
        <label for="survey-group">By</label>
        <select id="survey-group" value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as 'queue' | 'agent')}>
          <option value="queue">Queue</option>
          <option value="agent">Agent</option>
        </select>
        <button type="button" onClick={load}>
          Update report
        </button>
      </div>
      {failed && <p role="alert">The report could not be loaded.</p>}
      {report && (
        <table>
          <caption class="visually-hidden">Surveys per {groupBy}</caption>
          <thead>
            <tr>
              <th scope="col">{groupBy === 'queue' ? 'Queue' : 'Agent'}</th>
              <th scope="col">Surveys</th>
              <th scope="col">Average (1-5)</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label || (groupBy === 'agent' ? 'No agent' : '—')}</th>
                <td>{r.count}</td>
                <td>{r.average.toFixed(2)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">All</th>
              <td>{report.total.count}</td>
              <td>{report.total.average === null ? '—' : report.total.average.toFixed(2)}</td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
