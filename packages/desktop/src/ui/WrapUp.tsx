import { useEffect, useState } from 'preact/hooks';
import type { AgentInteraction } from '@parley/protocol';
import { useDesktop } from './context.js';

/** Wrap-up: choose a code (from GET /wrap-up-codes) and complete the interaction. */
export function WrapUp({ interaction }: { interaction: AgentInteraction }) {
  const [desktop, state] = useDesktop();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => void desktop.loadCatalog('wrapUpCodes'), [desktop]);
  const codes = state.catalogs.wrapUpCodes;
  const id = `wrapup-${interaction.id}`;
  const required = !!codes && codes.length > 0;
  return (
    <form
      class="wrapup stack"
      aria-labelledby={`${id}-title`}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        await desktop.complete(interaction.id, code || undefined);
        setBusy(false);
      }}
    >
      <h3 id={`${id}-title`}>Wrap-up</h3>
      <label for={id}>Wrap-up code</label>
      {codes === null ? (
        <p class="muted">Loading codes…</p>
      ) : codes.length ? (
        <select id={id} value={code} required onChange={(e) => setCode((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a code…</option>
          {codes.map((c) => (
            <option key={c.code} value={c.code}>
              {c.label}
            </option>
          ))}
        </select>
      ) : (
        <input id={id} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} placeholder="Optional" />
      )}
      <button type="submit" class="primary" disabled={busy || (required && !code)}>
        Complete
      </button>
    </form>
  );
}
