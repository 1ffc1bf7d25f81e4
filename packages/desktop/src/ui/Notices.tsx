import { useDesktop } from './context.js';

/** Errors (role=alert) and confirmations of actions, each dismissible. */
export function Notices() {
  const [desktop, state] = useDesktop();
  if (!state.notices.length) return null;
  return (
    <div class="notices">
      {state.notices.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" class="link-button" aria-label="Dismiss" onClick={() => desktop.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
