import type { AgentMessage, InteractionState } from '@parley/protocol';

/**
 * What the transcript shows, in log order: chat messages as bubbles, participant and UI events as
 * one compact line each, and runs of interaction state changes folded into one timeline line.
 * Data-only events that say nothing to a person are left out.
 */
export type TranscriptEntry =
  | { kind: 'message'; key: string; message: AgentMessage }
  | { kind: 'event'; key: string; text: string; utcTime: string }
  | { kind: 'states'; key: string; states: { state: InteractionState; utcTime: string }[] };

/** Readable lines for the UI events workflows send to the widget (seed 004). */
const UI_EVENT_LABELS: Record<string, string> = {
  'ui-event-update-promotion': 'Banner shown to the customer',
  'ui-event-close-promotion': 'Banner hidden',
};

function sender(m: AgentMessage): string {
  return m.from.nickname || m.from.type;
}

function isStateChange(m: AgentMessage): boolean {
  return m.type === 'System' && typeof m.data?.interactionState === 'string';
}

function hasText(m: AgentMessage): boolean {
  return typeof m.text === 'string' && m.text.trim() !== '';
}

/** The one line an event shows, or null when it has nothing to say to a person. */
export function eventLine(m: AgentMessage): string | null {
  if (m.type === 'ParticipantJoined') return `${sender(m)} joined`;
  if (m.type === 'ParticipantLeft') return `${sender(m)} left`;
  if (m.event && UI_EVENT_LABELS[m.event]) return UI_EVENT_LABELS[m.event];
  if (hasText(m)) return m.text!;
  return null;
}

/** Notices and System messages without text are events, not bubbles. */
function isEvent(m: AgentMessage): boolean {
  if (m.type === 'ParticipantJoined' || m.type === 'ParticipantLeft' || m.type === 'System') return true;
  return m.type === 'Notice' && !hasText(m);
}

export function transcriptEntries(shown: readonly AgentMessage[]): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  for (const m of shown) {
    if (isStateChange(m)) {
      const last = out.at(-1);
      const step = { state: m.data!.interactionState as InteractionState, utcTime: m.utcTime };
      if (last?.kind === 'states') last.states.push(step);
      else out.push({ kind: 'states', key: m.id, states: [step] });
      continue;
    }
    if (!isEvent(m)) {
      out.push({ kind: 'message', key: m.id, message: m });
      continue;
    }
    const text = eventLine(m);
    if (text !== null) out.push({ kind: 'event', key: m.id, text, utcTime: m.utcTime });
  }
  return out;
}
