import { useDesktop } from './context.js';
import { useNow } from './useNow.js';

function waited(createdAt: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(createdAt)) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Chats waiting in the queues: an agent may pick one (Accept) without waiting for an offer. */
export function WaitingList() {
  const [desktop, state] = useDesktop();
  const now = useNow(5000, state.waiting.length > 0);
  return (
    <section class="panel waiting" aria-labelledby="waiting-title">
      <h2 id="waiting-title">
        Waiting <span class="badge">{state.waiting.length}</span>
      </h2>
      {state.waiting.length === 0 ? (
        <p class="muted">No chats are waiting.</p>
      ) : (
        <ul class="waiting-list">
          {state.waiting.map((i) => {
            const who = i.customer.nickname || 'Customer';
            return (
              <li key={i.id}>
                <span>
                  <strong>{who}</strong>{' '}
                  <span class="muted">
                    {i.queue} · {waited(i.createdAt, now)}
                  </span>
                </span>
                <button type="button" onClick={() => void desktop.accept(i.id)}>
                  Pick<span class="visually-hidden"> chat from {who}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
