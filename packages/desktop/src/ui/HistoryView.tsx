import type { AgentInteraction } from '@parley/protocol';
import { useDesktop } from './context.js';
import { SearchPanel } from './SearchPanel.js';

/** Search over conversations, and the sessions this agent handled: reopen one, or follow up on a finished asynchronous chat. */
export function HistoryView() {
  const [desktop, state] = useDesktop();
  const list = state.history;
  return (
    <>
      <SearchPanel />
      <section class="history" aria-labelledby="hist-title">
        <div class="row">
          <h2 id="hist-title">History</h2>
          <button type="button" onClick={() => void desktop.refreshHistory()}>
            Refresh
          </button>
        </div>
        {state.historyError && (
          <p class="form-error" role="alert">
            {state.historyError}
          </p>
        )}
        {list === null ? (
          <p class="muted">Loading…</p>
        ) : list.length === 0 ? (
          <p class="muted">No conversations yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Started</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => {
                const who = s.customer.nickname || 'Customer';
                const last = s.interactions.reduce<AgentInteraction | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);
                const istate = last?.state;
                const canFollowUp = s.async && s.state === 'Active' && istate === 'Completed';
                return (
                  <tr key={s.id}>
                    <th scope="row">{who}</th>
                    <td>{new Date(s.createdAt).toLocaleString()}</td>
                    <td>
                      {s.state} {istate ? `· ${istate}` : ''}
                    </td>
                    <td class="row">
                      <button type="button" onClick={() => void desktop.open(s.id, 'agent', true)}>
                        Open<span class="visually-hidden"> chat with {who}</span>
                      </button>
                      {canFollowUp && (
                        <button type="button" onClick={() => void desktop.followUp(s.id)}>
                          Follow up<span class="visually-hidden"> with {who}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
