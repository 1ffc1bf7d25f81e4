import { useEffect, useState } from 'preact/hooks';
import { useDesktop } from './context.js';

export const NOT_READY_REASONS = ['Break', 'Lunch', 'Meeting', 'Training', 'After-call work', 'Other'];

/** Ready / Not ready, with a reason when not ready. */
export function PresenceSwitch() {
  const [desktop, state] = useDesktop();
  const presence = state.profile?.presence ?? 'NotReady';
  const [reason, setReason] = useState(state.profile?.reason || NOT_READY_REASONS[0]);
  useEffect(() => {
    if (state.profile?.reason) setReason(state.profile.reason);
  }, [state.profile?.reason]);

  // A reason the server set (e.g. "Disconnected" after the desktop was closed) is shown as it is.
  const reasons = NOT_READY_REASONS.includes(reason) ? NOT_READY_REASONS : [reason, ...NOT_READY_REASONS];

  const change = (value: string) => {
    if (value === 'Ready') void desktop.setPresence('Ready');
    else void desktop.setPresence('NotReady', reason);
  };

  return (
    <fieldset class={`presence presence-${presence}`}>
      <legend class="visually-hidden">Presence</legend>
      <label for="presence-select">Presence</label>
      <select id="presence-select" value={presence} onChange={(e) => change((e.target as HTMLSelectElement).value)}>
        <option value="Ready">Ready</option>
        <option value="NotReady">Not ready</option>
      </select>
      {presence === 'NotReady' && (
        <>
          <label for="presence-reason">Reason</label>
          <select
            id="presence-reason"
            value={reason}
            onChange={(e) => {
              const r = (e.target as HTMLSelectElement).value;
              setReason(r);
              void desktop.setPresence('NotReady', r);
            }}
          >
            {reasons.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </>
      )}
    </fieldset>
  );
}
