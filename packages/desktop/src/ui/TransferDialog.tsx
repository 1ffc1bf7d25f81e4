import { useEffect, useState } from 'preact/hooks';
import { useDesktop } from './context.js';
import { Dialog } from './Dialog.js';

/**
 * Picks a target: a queue or an agent (transfer), or an agent only (conference). Lists come from
 * GET /queues and GET /agents; a queue name can be typed when the list is not available.
 */
export function TransferDialog({
  kind,
  onSubmit,
  onClose,
}: {
  kind: 'transfer' | 'conference';
  onSubmit: (target: { queue: string } | { agentId: string }, label: string) => Promise<boolean>;
  onClose: () => void;
}) {
  const [desktop, state] = useDesktop();
  const [mode, setMode] = useState<'queue' | 'agent'>(kind === 'conference' ? 'agent' : 'queue');
  const [queue, setQueue] = useState('');
  const [agentId, setAgentId] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void desktop.loadCatalog('agents', true);
    if (kind === 'transfer') void desktop.loadCatalog('queues', true);
  }, [desktop, kind]);
  const me = state.account?.id;
  const agents = (state.catalogs.agents ?? []).filter((a) => a.id !== me);
  const queues = state.catalogs.queues ?? [];
  const id = `dlg-${kind}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    let ok = false;
    setBusy(true);
    if (mode === 'queue' && queue.trim()) ok = await onSubmit({ queue: queue.trim() }, `queue ${queue.trim()}`);
    else if (mode === 'agent' && agentId) ok = await onSubmit({ agentId }, agents.find((a) => a.id === agentId)?.displayName ?? 'the agent');
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog id={id} title={kind === 'transfer' ? 'Transfer the chat' : 'Invite an agent (conference)'} onClose={onClose}>
      <form onSubmit={submit} class="stack">
        {kind === 'transfer' && (
          <fieldset class="row">
            <legend>Transfer to</legend>
            <label class="toggle">
              <input type="radio" name={`${id}-mode`} value="queue" checked={mode === 'queue'} onChange={() => setMode('queue')} /> A queue
            </label>
            <label class="toggle">
              <input type="radio" name={`${id}-mode`} value="agent" checked={mode === 'agent'} onChange={() => setMode('agent')} /> An agent
            </label>
          </fieldset>
        )}
        {mode === 'queue' ? (
          <>
            <label for={`${id}-queue`}>Queue</label>
            {queues.length ? (
              <select id={`${id}-queue`} value={queue} onChange={(e) => setQueue((e.target as HTMLSelectElement).value)}>
                <option value="">Choose a queue…</option>
                {queues.map((q) => (
                  <option key={`${q.deploymentId ?? ''}/${q.name}`} value={q.name}>
                    {q.name} ({q.waiting} waiting)
                  </option>
                ))}
              </select>
            ) : (
              <input id={`${id}-queue`} value={queue} onInput={(e) => setQueue((e.target as HTMLInputElement).value)} placeholder="Queue name" />
            )}
          </>
        ) : (
          <>
            <label for={`${id}-agent`}>Agent</label>
            <select id={`${id}-agent`} value={agentId} onChange={(e) => setAgentId((e.target as HTMLSelectElement).value)}>
              <option value="">{state.catalogs.agents === null ? 'Loading…' : agents.length ? 'Choose an agent…' : 'No other agent is available'}</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.displayName} — {a.presence === 'Ready' ? 'Ready' : `Not ready${a.reason ? ` (${a.reason})` : ''}`}
                  {a.active !== undefined ? `, ${a.active} active` : ''}
                </option>
              ))}
            </select>
          </>
        )}
        <div class="row">
          <button type="submit" class="primary" disabled={busy || (mode === 'queue' ? !queue.trim() : !agentId)}>
            {kind === 'transfer' ? 'Transfer' : 'Invite'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
