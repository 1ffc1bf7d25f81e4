import { useDesktop } from './context.js';
import { Transcript } from './Transcript.js';
import { TypingIndicator } from './TypingIndicator.js';
import { Composer } from './Composer.js';
import { MonitorBar } from './MonitorBar.js';
import { CustomerPanel } from './CustomerPanel.js';
import { ContactPanel } from './ContactPanel.js';
import { ConversationActions } from './ConversationActions.js';
import { customerName, stateLabel } from './names.js';

/** The active conversation: transcript, typing, composer (or the supervisor's monitor bar), customer info and actions. */
export function ConversationView() {
  const [desktop, state] = useDesktop();
  const c = desktop.active;
  if (!c) {
    return (
      <section class="empty" aria-labelledby="empty-title">
        <h2 id="empty-title">No conversation open</h2>
        <p class="muted">
          Set yourself <strong>Ready</strong> to receive offers, or pick a waiting chat. Press <kbd>Alt</kbd>+<kbd>H</kbd> for keyboard shortcuts.
        </p>
      </section>
    );
  }
  const name = customerName(c);
  const connected = c.details?.participants.some((p) => p.accountId === state.account?.id && p.state === 'Connected') ?? false;
  const canWrite = c.mode === 'agent' && !c.sessionEnded && (c.interaction?.state === 'Handling' || c.interaction?.state === 'Finalizing' || connected);
  return (
    <section class="conversation" id="conversation-panel" role="tabpanel" aria-labelledby={`tab-${c.sessionId}`} key={c.sessionId}>
      <div class="conversation-main">
        <header class="conversation-head">
          <h2>
            {name} <span class="state-pill">{stateLabel(c)}</span>
          </h2>
          {c.sessionEnded && <p class="muted">The chat has ended.</p>}
        </header>
        <Transcript conversation={c} />
        <TypingIndicator conversation={c} />
        {c.mode === 'monitor' ? <MonitorBar conversation={c} /> : canWrite ? <Composer conversation={c} /> : null}
      </div>
      <aside class="conversation-side" aria-label="Customer and actions">
        <ConversationActions conversation={c} />
        <CustomerPanel conversation={c} />
        <ContactPanel conversation={c} />
      </aside>
    </section>
  );
}
