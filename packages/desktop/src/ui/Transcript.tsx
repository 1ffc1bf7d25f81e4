import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { AgentMessage, InteractionState } from '@parley/protocol';
import type { Conversation } from '../state/desktop.js';
import { fileHref, safeHref } from '../util/links.js';
import { RichText } from './RichText.js';
import { RichMessage } from './RichMessage.js';
import { transcriptEntries } from '../state/timeline.js';

const time = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

function visibilityLabel(m: AgentMessage): string | null {
  if (m.visibility === 'Int') return 'Internal note';
  if (m.visibility === 'Vip') return 'Whisper (supervisors and agents only)';
  return null;
}

function senderName(m: AgentMessage): string {
  return m.from.nickname || m.from.type;
}

function EventLine({ text, utcTime }: { text: string; utcTime: string }) {
  return (
    <li class="event">
      <span>{text}</span> <time dateTime={utcTime}>{time(utcTime)}</time>
    </li>
  );
}

const STATE_LABELS: Record<InteractionState, string> = {
  Workflow: 'with the bot',
  Queued: 'queued',
  Offered: 'offered',
  Handling: 'handling',
  Finalizing: 'wrap-up',
  Completed: 'completed',
};

/** A run of interaction state changes as one line: "Interaction: queued 10:01 → offered 10:01 → handling 10:02". */
function StateTimeline({ states }: { states: { state: InteractionState; utcTime: string }[] }) {
  return (
    <li class="event states">
      <span class="muted">Interaction: </span>
      {states.map((s, i) => (
        <span key={i} class="state-step">
          {i > 0 && <span aria-hidden="true"> → </span>}
          {STATE_LABELS[s.state] ?? s.state} <time dateTime={s.utcTime}>{time(s.utcTime)}</time>
        </span>
      ))}
    </li>
  );
}

/** Images the server accepts and browsers show: previewed inline (the link still opens the file). */
const PREVIEWED = /^image\/(png|jpeg|gif|webp)$/;

function Body({ m }: { m: AgentMessage }) {
  if (m.type === 'PushUrl') {
    const href = safeHref(m.url);
    return (
      <p>
        <span class="muted">Pushed a page: </span>
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {m.url}
          </a>
        ) : (
          m.url
        )}
      </p>
    );
  }
  if (m.type === 'File') {
    return (
      <ul class="files">
        {(m.content ?? []).map((f, i) => {
          const href = fileHref(f.url);
          const label = f.name || 'file';
          return (
            <li key={i}>
              {href && PREVIEWED.test(f.mime) && (
                <a href={href} target="_blank" rel="noopener noreferrer" class="file-preview">
                  <img src={href} alt={`Image: ${label}`} loading="lazy" />
                </a>
              )}
              <span class="muted">File: </span>
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer" download={label}>
                  {label}
                </a>
              ) : (
                label
              )}{' '}
              <span class="muted">({f.mime})</span>
            </li>
          );
        })}
      </ul>
    );
  }
  return (
    <>
      <p class="text">
        <RichText text={m.text ?? ''} />
      </p>
      <RichMessage data={m.data} />
    </>
  );
}

/** The conversation log: customer and agent messages, notes, whispers and events, oldest first. */
export function Transcript({ conversation }: { conversation: Conversation }) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const shown = conversation.transcript.shown;
  const self = conversation.transcript.self;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [shown.length, conversation.sessionId]);
  useEffect(() => {
    pinned.current = true;
  }, [conversation.sessionId]);

  return (
    <div
      class="transcript"
      ref={box}
      tabIndex={0}
      role="region"
      aria-label="Transcript"
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {!conversation.loaded && <p class="muted">Loading…</p>}
      <ol class="messages">
        {transcriptEntries(shown).map((entry) => {
          if (entry.kind === 'event') return <EventLine key={entry.key} text={entry.text} utcTime={entry.utcTime} />;
          if (entry.kind === 'states') return <StateTimeline key={entry.key} states={entry.states} />;
          const m = entry.message;
          const mine = self.has(m.from.participantId);
          const vis = visibilityLabel(m);
          const cls = ['msg', `from-${m.from.type.toLowerCase()}`, mine ? 'mine' : '', `vis-${m.visibility.toLowerCase()}`, m.type === 'Notice' ? 'notice-msg' : ''].join(' ');
          return (
            <li key={m.id} class={cls} data-index={m.index} data-visibility={m.visibility}>
              <p class="meta">
                <span class="sender">{mine ? 'You' : senderName(m)}</span>
                {vis && <span class="vis-label">{vis}</span>}
                <time dateTime={m.utcTime}>{time(m.utcTime)}</time>
              </p>
              <Body m={m} />
            </li>
          );
        })}
      </ol>
    </div>
  );
}
