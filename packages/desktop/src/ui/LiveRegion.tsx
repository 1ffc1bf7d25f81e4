import { useDesktop } from './context.js';

/** The polite live region: new offers and new customer messages are announced here. */
export function LiveRegion() {
  const [, state] = useDesktop();
  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" id="announcer">
      {state.announcement.text}
    </div>
  );
}
