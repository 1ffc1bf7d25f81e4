import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AgentMessage, InteractionState } from '@parley/protocol';
import { transcriptEntries } from './timeline.js';

let n = 0;
function msg(over: Partial<AgentMessage>): AgentMessage {
  n += 1;
  return {
    id: `m${n}`,
    index: `${1_700_000_000_000 + n}-0`,
    utcTime: new Date(1_700_000_000_000 + n).toISOString(),
    visibility: 'All',
    type: 'Text',
    from: { participantId: 'c', type: 'Customer', nickname: 'Ann' },
    ...over,
  };
}
const system = { participantId: '00000000-0000-0000-0000-000000000000', type: 'System' as const };
const state = (s: InteractionState) => msg({ type: 'System', from: system, event: 'InteractionStateChange', data: { interactionState: s } });

describe('transcript entries', () => {
  it('shows data-only UI events as one readable line, never as an empty bubble', () => {
    const entries = transcriptEntries([
      msg({ type: 'Notice', from: system, event: 'ui-event-update-promotion', data: { title: 'Back to the bot' } }),
      msg({ type: 'Notice', from: system, event: 'ui-event-close-promotion', data: {} }),
      msg({ type: 'Notice', from: system, event: 'some-widget-signal', data: { x: 1 } }),
    ]);
    expect(entries.map((e) => e.kind)).toEqual(['event', 'event']);
    expect(entries.map((e) => (e.kind === 'event' ? e.text : ''))).toEqual(['Banner shown to the customer', 'Banner hidden']);
  });

  it('keeps notices with text as bubbles', () => {
    const entries = transcriptEntries([msg({ type: 'Notice', from: system, text: 'Your chat is in the queue' })]);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.kind).toBe('message');
  });

  it('folds consecutive state changes into one timeline line, split by anything else', () => {
    const entries = transcriptEntries([state('Queued'), state('Offered'), state('Handling'), msg({ text: 'hi' }), state('Finalizing'), state('Completed')]);
    expect(entries.map((e) => e.kind)).toEqual(['states', 'message', 'states']);
    const first = entries[0]!;
    expect(first.kind === 'states' && first.states.map((s) => s.state)).toEqual(['Queued', 'Offered', 'Handling']);
  });

  it('property: every message is accounted for once and order is kept', () => {
    const kinds = fc.constantFrom('text', 'state', 'ui', 'empty-notice', 'joined');
    fc.assert(
      fc.property(fc.array(kinds, { maxLength: 40 }), (list) => {
        const messages = list.map((k) =>
          k === 'text'
            ? msg({ text: 'x' })
            : k === 'state'
              ? state('Queued')
              : k === 'ui'
                ? msg({ type: 'Notice', from: system, event: 'ui-event-close-promotion' })
                : k === 'joined'
                  ? msg({ type: 'ParticipantJoined' })
                  : msg({ type: 'Notice', from: system }),
        );
        const entries = transcriptEntries(messages);
        const covered = entries.flatMap((e) => (e.kind === 'states' ? e.states.map(() => 'state') : [e.kind === 'message' ? 'text' : 'event']));
        const expected = list.filter((k) => k !== 'empty-notice').map((k) => (k === 'text' ? 'text' : k === 'state' ? 'state' : 'event'));
        expect(covered).toEqual(expected);
        for (let i = 1; i < entries.length; i++) expect(entries[i - 1]!.kind === 'states' && entries[i]!.kind === 'states').toBe(false);
      }),
    );
  });
});
