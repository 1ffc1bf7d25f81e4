import { useState } from 'preact/hooks';
import type { AgentSummary } from '@parley/protocol';
import { useDesktop } from './context.js';
import { DayDashboard } from './DayDashboard.js';
import { NOT_READY_REASONS } from './PresenceSwitch.js';
import { SurveyReportPanel } from './SurveyReportPanel.js';

function AgentRow({ agent }: { agent: AgentSummary }) {
  const [desktop] = useDesktop();
  const [reason, setReason] = useState(agent.reason || NOT_READY_REASONS[0]);
  const id = `agent-${agent.id}`;
  return (
    <tr>
      <th scope="row">{agent.displayName}</th>
      <td>
        <span class={`presence-pill presence-${agent.presence}`}>{agent.presence === 'Ready' ? 'Ready' : 'Not ready'}</span>
        {agent.presence !== 'Ready' && agent.reason ? ` (${agent.reason})` : ''}
      </td>
      <td>{agent.active ?? 0}</td>
      <td>
        <div class="row">
          {agent.presence === 'Ready' ? (
            <>
              <label class="visually-hidden" for={`${id}-reason`}>
                Reason for {agent.displayName}
              </label>
              <select id={`${id}-reason`} value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
                {NOT_READY_REASONS.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
              <button type="button" onClick={() => void desktop.setAgentPresence(agent.id, 'NotReady', reason)}>
                Set not ready<span class="visually-hidden"> ({agent.displayName})</span>
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void desktop.setAgentPresence(agent.id, 'Ready')}>
              Set ready<span class="visually-hidden"> ({agent.displayName})</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** Supervisors: queues, agents (with presence change) and live sessions to monitor, whisper into or barge in. */
export function SupervisorView() {
  const [desktop, state] = useDesktop();
  const o = state.overview;
  // Async sessions whose last interaction is completed wait for the customer: nobody to monitor or barge in on.
  const live = o?.sessions.filter((s) => s.interactionState !== 'Completed') ?? [];
  const waitingForCustomer = (o?.sessions.length ?? 0) - live.length;
  if (!o) {
    return (
      <section class="supervisor" aria-labelledby="sup-title">
        <h2 id="sup-title">Supervisor</h2>
        <p class="muted">Loading the overview… (GET /agent/v1/supervisor/overview)</p>
        <button type="button" onClick={() => void desktop.refreshOverview()}>
          Refresh
        </button>
      </section>
    );
  }
  return (
    <section class="supervisor" aria-labelledby="sup-title">
      <div class="row">
        <h2 id="sup-title">Supervisor</h2>
        <button type="button" onClick={() => void desktop.refreshOverview()}>
          Refresh
        </button>
      </div>
      <div class="sup-grid">
        <section class="panel">
          <h3 id="sup-queues">Queues</h3>
          <table aria-labelledby="sup-queues">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Waiting</th>
                <th scope="col">Offered</th>
                <th scope="col">Longest wait</th>
              </tr>
            </thead>
            <tbody>
              {o.queues.length === 0 && (
                <tr>
                  <td colSpan={4} class="muted">
                    No queues.
                  </td>
                </tr>
              )}
              {o.queues.map((q) => (
                <tr key={`${q.deploymentId ?? ''}/${q.name}`}>
                  <th scope="row">
                    {q.name}
                    {q.deploymentId ? <span class="muted"> ({q.deploymentId})</span> : null}
                  </th>
                  <td>{q.waiting}</td>
                  <td>{q.offered ?? 0}</td>
                  <td>{q.longestWaitSeconds ? `${q.longestWaitSeconds} s` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="panel">
          <h3 id="sup-agents">Agents</h3>
          <table aria-labelledby="sup-agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Presence</th>
                <th scope="col">Active chats</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {o.agents.map((a) => (
                <AgentRow key={a.id} agent={a} />
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section class="panel">
        <h3 id="sup-sessions">Live sessions</h3>
        <table aria-labelledby="sup-sessions">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Queue</th>
              <th scope="col">State</th>
              <th scope="col">Agent</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {live.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No live sessions.
                </td>
              </tr>
            )}
            {live.map((s) => {
              const who = s.customerName || 'Customer';
              return (
                <tr key={s.id}>
                  <th scope="row">{who}</th>
                  <td>{s.queue ?? '—'}</td>
                  <td>{s.interactionState ?? s.state}</td>
                  <td>{s.agentName ?? '—'}</td>
                  <td>
                    <div class="row">
                      <button type="button" onClick={() => void desktop.monitor(s.id)}>
                        Monitor<span class="visually-hidden"> chat with {who}</span>
                      </button>
                      <button
                        type="button"
                        onClick={async () => {
                          await desktop.monitor(s.id);
                          await desktop.barge(s.id);
                        }}
                      >
                        Barge in<span class="visually-hidden"> on chat with {who}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {waitingForCustomer > 0 && (
          <p class="muted">
            {waitingForCustomer} asynchronous {waitingForCustomer === 1 ? 'session waits' : 'sessions wait'} for the customer to write again.
          </p>
        )}
      </section>
      <DayDashboard />
      <SurveyReportPanel />
    </section>
  );
}
