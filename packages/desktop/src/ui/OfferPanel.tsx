import { useDesktop } from './context.js';
import { customerNickname, secondsLeft } from '../state/offers.js';
import { useNow } from './useNow.js';

/** Incoming offers: a visual alert with the countdown, Accept (Alt+A) and Reject (Alt+R). */
export function OfferPanel() {
  const [desktop] = useDesktop();
  const offers = desktop.offers;
  const now = useNow(1000, offers.length > 0);
  return (
    <section class="panel offers" aria-labelledby="offers-title">
      <h2 id="offers-title">Offers {offers.length > 0 && <span class="badge alert">{offers.length}</span>}</h2>
      {offers.length === 0 ? (
        <p class="muted">{desktop.state.profile?.presence === 'Ready' ? 'Waiting for chats…' : 'You are not ready: no chats are offered.'}</p>
      ) : (
        <ul class="offer-list">
          {offers.map((o, n) => {
            const left = secondsLeft(o, now);
            const who = customerNickname(o) || 'A customer';
            return (
              <li key={o.id} class="offer" aria-label={`Offer from ${who}`}>
                <p class="offer-title">
                  <strong>{who}</strong> <span class="muted">queue {o.queue}</span>
                </p>
                {left !== null && (
                  <p class={`countdown ${left <= 5 ? 'urgent' : ''}`}>
                    <span class="visually-hidden">Time left to accept: </span>
                    <span aria-hidden="true">⏱ </span>
                    {left} s
                  </p>
                )}
                <div class="row">
                  <button type="button" class="primary" onClick={() => void desktop.accept(o.id)} aria-keyshortcuts={n === 0 ? 'Alt+A' : undefined}>
                    Accept<span class="visually-hidden"> chat from {who}</span>
                  </button>
                  <button type="button" onClick={() => void desktop.reject(o.id)} aria-keyshortcuts={n === 0 ? 'Alt+R' : undefined}>
                    Reject<span class="visually-hidden"> chat from {who}</span>
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
