import { useDesktop } from './context.js';

/** "Live" or "Reconnecting…": a polite status so screen readers hear the change. */
export function ConnectionStatus() {
  const [, state] = useDesktop();
  const live = state.connection === 'ready';
  const text = live ? 'Live' : state.connection === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span class={`connection ${live ? 'connection-live' : 'connection-down'}`} role="status" aria-live="polite" data-status={state.connection}>
      <span class="dot" aria-hidden="true" />
      {text}
      {!live && <span class="visually-hidden"> Live updates are paused; messages are still sent and polled.</span>}
    </span>
  );
}
