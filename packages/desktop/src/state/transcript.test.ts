import { describe, expect, it } from 'vitest';
import type { AgentMessage } from '@parley/protocol';
import { Transcript, TYPING_STALE_MS } from './transcript.js';
import { indexNum, maxIndex } from './message-index.js';

let n = 0;
const NOW = Date.parse('2026-01-01T10:00:00Z');
function msg(index: string, over: Partial<AgentMessage> = {}): AgentMessage {
  n += 1;
  return {
    id: over.id ?? `m${n}`,
    index,
    utcTime: new Date(NOW).toISOString(),
    visibility: 'All',
    type: 'Text',
    from: { participantId: 'cust', type: 'Customer', nickname: 'Jonny' },
    text: `hello ${n}`,
    ...over,
  };
}

describe('message index', () => {
  it('orders by ms then seq, malformed first', () => {
    expect(indexNum('1700000000000-0')).toBeLessThan(indexNum('1700000000000-1'));
    expect(indexNum('1700000000000-9')).toBeLessThan(indexNum('1700000000001-0'));
    expect(indexNum('x')).toBe(-1);
    expect(maxIndex(null, '5-0')).toBe('5-0');
    expect(maxIndex('6-0', '5-9')).toBe('6-0');
  });
});

describe('Transcript', () => {
  it('de-duplicates by message id and keeps log order for late arrivals', () => {
    const t = new Transcript();
    const a = msg('100-0');
    const b = msg('100-1');
    const c = msg('101-0');
    t.merge([a, c]);
    const r = t.merge([b, a, c]);
    expect(r.added.map((m) => m.id)).toEqual([b.id]);
    expect(t.messages.map((m) => m.id)).toEqual([a.id, b.id, c.id]);
    expect(t.lastIndex).toBe('101-0');
  });

  it('resume from lastIndex: replayed overlap adds nothing', () => {
    const t = new Transcript();
    const first = [msg('10-0'), msg('11-0'), msg('12-0')];
    t.merge(first);
    // A server that resends the last one after a reconnect (or a poll and the socket both delivering).
    const again = t.merge([first[2], msg('13-0')]);
    expect(again.added).toHaveLength(1);
    expect(t.messages).toHaveLength(4);
    expect(t.lastIndex).toBe('13-0');
  });

  it('counts unread only for others\u2019 messages while not viewing, never for the initial history', () => {
    const t = new Transcript();
    t.self.add('me');
    t.merge([msg('1-0'), msg('2-0')], { initial: true });
    expect(t.unread).toBe(0);
    t.merge([msg('3-0'), msg('4-0', { from: { participantId: 'me', type: 'Agent' } }), msg('5-0', { type: 'ParticipantJoined' }), msg('6-0', { type: 'TypingStarted' })]);
    expect(t.unread).toBe(1);
    t.merge([msg('7-0', { type: 'PushUrl', url: 'https://x.test' }), msg('8-0', { from: { participantId: 'sys', type: 'System' }, type: 'Notice' })]);
    expect(t.unread).toBe(2);
    t.setViewing(true);
    expect(t.unread).toBe(0);
    t.merge([msg('9-0')]);
    expect(t.unread).toBe(0);
    t.setViewing(false);
    t.merge([msg('10-0'), msg('11-0', { visibility: 'Int', from: { participantId: 'other-agent', type: 'Agent', nickname: 'Bo' } })]);
    expect(t.unread).toBe(2);
  });

  it('duplicates are never counted twice', () => {
    const t = new Transcript();
    const m = msg('1-0');
    t.merge([m]);
    t.merge([m]);
    expect(t.unread).toBe(1);
  });

  it('shows typing of others until TypingStopped, a message, or staleness', () => {
    const t = new Transcript();
    t.self.add('me');
    t.merge([msg('1-0', { type: 'TypingStarted', text: undefined })], { nowMs: NOW });
    expect(t.typingNow(NOW).map((x) => x.nickname)).toEqual(['Jonny']);
    t.merge([msg('2-0')], { nowMs: NOW });
    expect(t.typingNow(NOW)).toEqual([]);
    t.merge([msg('3-0', { type: 'TypingStarted' })], { nowMs: NOW });
    t.merge([msg('4-0', { type: 'TypingStopped' })], { nowMs: NOW });
    expect(t.typingNow(NOW)).toEqual([]);
    t.merge([msg('5-0', { type: 'TypingStarted' })], { nowMs: NOW });
    expect(t.typingNow(NOW + TYPING_STALE_MS + 1)).toEqual([]);
    t.merge([msg('6-0', { type: 'TypingStarted', from: { participantId: 'me', type: 'Agent' } })], { nowMs: NOW });
    expect(t.typingNow(NOW)).toEqual([]);
    // An old TypingStarted replayed on resume shows nothing.
    t.merge([msg('7-0', { type: 'TypingStarted', utcTime: new Date(NOW - TYPING_STALE_MS - 5000).toISOString() })], { nowMs: NOW });
    expect(t.typingNow(NOW)).toEqual([]);
  });

  it('shown leaves typing events out', () => {
    const t = new Transcript();
    t.merge([msg('1-0', { type: 'TypingStarted' }), msg('2-0'), msg('3-0', { type: 'System', data: { interactionState: 'Queued' } })]);
    expect(t.shown.map((m) => m.type)).toEqual(['Text', 'System']);
  });

  it('ignores malformed entries', () => {
    const t = new Transcript();
    t.merge([null as unknown as AgentMessage, { index: '1-0' } as AgentMessage]);
    expect(t.messages).toHaveLength(0);
  });
});
