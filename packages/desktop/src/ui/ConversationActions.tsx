import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Conversation } from '../state/desktop.js';
import { useDesktop } from './context.js';
import { useCommand } from './commands.js';
import { TransferDialog } from './TransferDialog.js';
import { WrapUp } from './WrapUp.js';

/** What can be done with the conversation now: done, transfer, conference, wrap-up, follow-up, leave, close. */
export function ConversationActions({ conversation: c }: { conversation: Conversation }) {
  const [desktop, state] = useDesktop();
  const [dialog, setDialog] = useState<'transfer' | 'conference' | null>(null);
  const i = c.interaction;
  const handling = c.mode === 'agent' && i?.state === 'Handling';
  const latest = c.details?.interactions.reduce<typeof i>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), null) ?? null;
  const lastCompleted = (latest?.state ?? i?.state) === 'Completed';
  const canFollowUp = !!c.details?.session.async && c.details.session.state === 'Active' && lastCompleted && i?.state !== 'Handling';
  const connected = c.details?.participants.some((p) => p.accountId === state.account?.id && p.state === 'Connected') ?? false;

  useCommand(
    'done',
    useCallback(() => {
      if (handling && i) void desktop.done(i.id);
    }, [handling, i, desktop]),
  );
  useCommand(
    'transfer',
    useCallback(() => {
      if (handling) setDialog('transfer');
    }, [handling]),
  );

  return (
    <section class="panel actions" aria-label="Conversation actions">
      <h3 class="visually-hidden">Actions</h3>
      {handling && i && (
        <div class="stack">
          <button type="button" class="primary" onClick={() => void desktop.done(i.id)} aria-keyshortcuts="Alt+D">
            Mark done
          </button>
          <button type="button" onClick={() => setDialog('transfer')} aria-keyshortcuts="Alt+T">
            Transfer…
          </button>
          <button type="button" onClick={() => setDialog('conference')}>
            Conference…
          </button>
        </div>
      )}
      {c.mode === 'agent' && i?.state === 'Finalizing' && <WrapUp interaction={i} />}
      {i?.state === 'Completed' && <CompletedNote code={i.wrapUpCode ?? null} />}
      {canFollowUp && (
        <button type="button" onClick={() => void desktop.followUp(c.sessionId)}>
          Follow up
        </button>
      )}
      <div class="stack">
        {connected && c.mode === 'agent' && !handling && i?.state !== 'Finalizing' && (
          <button type="button" onClick={() => void desktop.leave(c.sessionId)}>
            Leave the chat
          </button>
        )}
        {!handling && i?.state !== 'Finalizing' && (
          <button type="button" onClick={() => desktop.close(c.sessionId)}>
            {c.mode === 'monitor' ? 'Stop monitoring' : 'Close tab'}
          </button>
        )}
      </div>
      {dialog && i && (
        <TransferDialog
          kind={dialog}
          onClose={() => setDialog(null)}
          onSubmit={(target, label) =>
            dialog === 'transfer' ? desktop.transfer(i.id, target, label) : 'agentId' in target ? desktop.conference(c.sessionId, target.agentId, label) : Promise.resolve(false)
          }
        />
      )}
    </section>
  );
}

/** "Completed (Resolved)": the wrap-up code's label from the catalog, the code itself when it has none. */
function CompletedNote({ code }: { code: string | null }) {
  const [desktop, state] = useDesktop();
  useEffect(() => {
    if (code) void desktop.loadCatalog('wrapUpCodes');
  }, [desktop, code]);
  const label = code ? (state.catalogs.wrapUpCodes?.find((w) => w.code === code)?.label ?? code) : null;
  return <p class="muted">Completed{label ? ` (${label})` : ''}.</p>;
}
