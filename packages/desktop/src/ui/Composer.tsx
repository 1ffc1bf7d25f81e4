import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Conversation } from '../state/desktop.js';
import { TypingController } from '../state/typing.js';
import { useDesktop } from './context.js';
import { useCommand } from './commands.js';
import { isSendKey } from './shortcuts.js';
import { CannedPicker } from './CannedPicker.js';
import { PushUrlForm } from './PushUrlForm.js';
import { customerName } from './names.js';
import { parseQuickReplies, quickRepliesContent, quickRepliesProblem } from './quick-replies.js';

/**
 * Writes to the customer (or an internal note to agents with the toggle). Enter (or Ctrl+Enter, as
 * the agent's setting says) sends; "/" in an empty box searches canned responses; our
 * typing is sent as TypingStarted / TypingStopped (never for internal notes).
 */
export function Composer({ conversation: c }: { conversation: Conversation }) {
  const [desktop, state] = useDesktop();
  const enterSends = state.preferences.enterSends;
  const [text, setText] = useState(c.draft);
  const [busy, setBusy] = useState(false);
  const [canned, setCanned] = useState(false);
  const [push, setPush] = useState(false);
  /** Quick replies to send with the next message, one per line (null: the field is closed). */
  const [replies, setReplies] = useState<string | null>(null);
  const replyList = replies === null || c.internal ? [] : parseQuickReplies(replies);
  const replyProblem = quickRepliesProblem(replyList);
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [sending, setSending] = useState(false);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const internal = c.internal;
  const typing = useMemo(() => new TypingController((t) => desktop.typing(c.sessionId, t)), [desktop, c.sessionId]);
  useEffect(() => () => typing.stop(), [typing]);
  useEffect(() => {
    if (internal) typing.stop();
  }, [internal, typing]);

  const focus = useCallback(() => area.current?.focus(), []);
  useCommand('focus-composer', focus);
  useCommand(
    'toggle-internal',
    useCallback(() => desktop.setInternal(c.sessionId, !c.internal), [desktop, c.sessionId, c.internal]),
  );
  useCommand(
    'canned',
    useCallback(() => setCanned(true), []),
  );

  const update = (value: string) => {
    setText(value);
    desktop.setDraft(c.sessionId, value);
    if (!internal) typing.input(value.trim() === '');
  };

  /** Sends in order: the draft clears at once, so the next message can be typed while this one is on its way. */
  const send = () => {
    const value = text.trim();
    if (!value || replyProblem) return;
    const rich = quickRepliesContent(replyList);
    if (rich) setReplies(null);
    typing.stop();
    setText('');
    desktop.setDraft(c.sessionId, '');
    const asNote = internal;
    setBusy(true);
    chain.current = chain.current.then(async () => {
      const ok = await desktop.sendText(c.sessionId, value, asNote, rich);
      // On failure, give the text back unless something new was typed meanwhile.
      if (!ok && !area.current?.value) {
        setText(value);
        desktop.setDraft(c.sessionId, value);
      }
    });
    void chain.current.then(() => setBusy(false));
    area.current?.focus();
  };

  const insert = (value: string) => {
    const next = text ? `${text}${text.endsWith(' ') || text.endsWith('\n') ? '' : ' '}${value}` : value;
    update(next);
    setCanned(false);
    requestAnimationFrame(() => area.current?.focus());
  };

  const attach = async (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    setSending(true);
    for (const f of files) await desktop.sendFile(c.sessionId, f, f.name);
    setSending(false);
    area.current?.focus();
  };

  const name = customerName(c);
  return (
    <form
      class={`composer ${internal ? 'composer-internal' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      aria-label="Reply"
    >
      <label for={`composer-${c.sessionId}`} class="composer-label">
        {internal ? 'Internal note (agents only; the customer never sees it)' : `Message to ${name}`}
      </label>
      <textarea
        id={`composer-${c.sessionId}`}
        ref={area}
        rows={3}
        value={text}
        aria-keyshortcuts={enterSends ? 'Enter Control+Enter' : 'Control+Enter'}
        aria-describedby={`composer-hint-${c.sessionId}`}
        onInput={(e) => update((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (isSendKey(e, enterSends)) {
            e.preventDefault();
            void send();
          } else if (e.key === '/' && !text && !e.ctrlKey && !e.metaKey && !e.altKey) {
            // "/" in an empty composer searches canned responses, as in other chat tools.
            e.preventDefault();
            setCanned(true);
          } else if (e.key === 'Escape' && canned) setCanned(false);
        }}
        onBlur={() => typing.stop()}
      />
      <p class="hint" id={`composer-hint-${c.sessionId}`}>
        {enterSends ? (
          <>
            <kbd>Enter</kbd> sends · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
          </>
        ) : (
          <>
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> sends
          </>
        )}{' '}
        · <kbd>/</kbd> or <kbd>Alt</kbd>+<kbd>C</kbd> canned responses · <kbd>Alt</kbd>+<kbd>I</kbd> internal note
      </p>
      <div class="composer-bar">
        <label class="toggle">
          <input type="checkbox" checked={internal} onChange={(e) => desktop.setInternal(c.sessionId, (e.target as HTMLInputElement).checked)} aria-keyshortcuts="Alt+I" />
          Internal note
        </label>
        <button type="button" aria-expanded={canned} aria-controls={`canned-${c.sessionId}`} onClick={() => setCanned(!canned)} aria-keyshortcuts="Alt+C">
          Canned responses
        </button>
        <button type="button" aria-expanded={push} onClick={() => setPush(!push)}>
          Push URL
        </button>
        {/* Files always reach the customer, so there is no attaching to an internal note. */}
        {!internal && (
          <>
            <button type="button" onClick={() => picker.current?.click()} disabled={sending} aria-busy={sending}>
              Attach file
            </button>
            <input
              ref={picker}
              type="file"
              class="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"
              multiple
              data-testid={`attach-${c.sessionId}`}
              onChange={(e) => void attach(e.target as HTMLInputElement)}
            />
          </>
        )}
        {!internal && (
          <button type="button" aria-expanded={replies !== null} aria-controls={`replies-${c.sessionId}`} onClick={() => setReplies(replies === null ? '' : null)}>
            Add quick replies
          </button>
        )}
        <button type="submit" class="primary" disabled={!text.trim() || !!replyProblem} aria-busy={busy}>
          {internal ? 'Add note' : 'Send'}
        </button>
      </div>
      {canned && <CannedPicker id={`canned-${c.sessionId}`} onPick={insert} onClose={() => setCanned(false)} />}
      {replies !== null && !internal && (
        <div class="quick-replies-field" id={`replies-${c.sessionId}`}>
          <label for={`replies-input-${c.sessionId}`}>Quick replies sent with this message (one per line; the customer taps one to answer)</label>
          <textarea
            id={`replies-input-${c.sessionId}`}
            rows={3}
            value={replies}
            aria-invalid={!!replyProblem}
            aria-describedby={replyProblem ? `replies-problem-${c.sessionId}` : undefined}
            onInput={(e) => setReplies((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setReplies(null);
                focus();
              }
            }}
          />
          {replyProblem && (
            <p class="form-error" id={`replies-problem-${c.sessionId}`} role="alert">
              {replyProblem}
            </p>
          )}
        </div>
      )}
      {push && <PushUrlForm sessionId={c.sessionId} onDone={() => setPush(false)} />}
    </form>
  );
}
