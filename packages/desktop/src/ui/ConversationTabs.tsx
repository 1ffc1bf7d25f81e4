import { useRef } from 'preact/hooks';
import { useDesktop } from './context.js';
import { customerName, stateLabel } from './names.js';

/** One tab per open conversation, with its unread count; arrow keys move between tabs. */
export function ConversationTabs() {
  const [desktop, state] = useDesktop();
  const list = useRef<HTMLDivElement>(null);
  if (!state.conversations.length) return null;

  const onKey = (e: KeyboardEvent) => {
    const n = state.conversations.length;
    const i = state.conversations.findIndex((c) => c.sessionId === state.activeId);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % n;
    else if (e.key === 'ArrowLeft') next = (i - 1 + n) % n;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = n - 1;
    if (next < 0) return;
    e.preventDefault();
    desktop.activate(state.conversations[next].sessionId);
    requestAnimationFrame(() => list.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus());
  };

  return (
    <div class="tabs" role="tablist" aria-label="Open conversations" ref={list} onKeyDown={onKey}>
      {state.conversations.map((c, n) => {
        const selected = c.sessionId === state.activeId;
        const unread = c.transcript.unread;
        const name = customerName(c);
        return (
          <button
            key={c.sessionId}
            type="button"
            role="tab"
            id={`tab-${c.sessionId}`}
            aria-selected={selected}
            aria-controls="conversation-panel"
            tabIndex={selected || (!state.activeId && n === 0) ? 0 : -1}
            class={`tab ${c.mode === 'monitor' ? 'tab-monitor' : ''}`}
            aria-keyshortcuts={n < 9 ? `Alt+${n + 1}` : undefined}
            onClick={() => desktop.activate(c.sessionId)}
          >
            <span class="tab-name">{name}</span>
            <span class="tab-state">{stateLabel(c)}</span>
            {c.transcript.typingNow().length > 0 && (
              <span class="tab-typing" aria-label="typing">
                …
              </span>
            )}
            {unread > 0 && (
              <span class="badge alert" aria-label={`${unread} unread`}>
                {unread}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
