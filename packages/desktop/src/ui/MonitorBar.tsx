import { useState } from 'preact/hooks';
import type { Conversation } from '../state/desktop.js';
import { useDesktop } from './context.js';

/** Supervisor on a monitored chat: whisper to the agent (the customer never sees it) or barge in. */
export function MonitorBar({ conversation: c }: { conversation: Conversation }) {
  const [desktop] = useDesktop();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `whisper-${c.sessionId}`;
  const whisper = async () => {
    const value = text.trim();
    if (!value || busy) return;
    setBusy(true);
    if (await desktop.whisper(c.sessionId, value)) setText('');
    setBusy(false);
  };
  return (
    <form
      class="monitor-bar composer composer-whisper"
      aria-label="Supervisor"
      onSubmit={(e) => {
        e.preventDefault();
        void whisper();
      }}
    >
      <p class="muted">You are monitoring this chat; the customer and the agent do not see you.</p>
      <label for={id}>Whisper to the agent (the customer never sees it)</label>
      <textarea
        id={id}
        rows={2}
        value={text}
        aria-keyshortcuts="Control+Enter"
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void whisper();
          }
        }}
      />
      <div class="composer-bar">
        <button type="submit" class="primary" disabled={busy || !text.trim() || c.sessionEnded}>
          Whisper
        </button>
        <button type="button" disabled={c.sessionEnded} onClick={() => void desktop.barge(c.sessionId)}>
          Barge in
        </button>
      </div>
    </form>
  );
}
