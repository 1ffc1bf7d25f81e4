import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { anonymizeMessage } from './customer-data.js';

const base = { id: 'm1', sessionId: 's1', index: '1700000000000-0', visibility: 'All', utcTime: '2026-01-01T00:00:00.000Z' } as const;

describe('anonymizeMessage', () => {
  it('keeps type, time, order and role; replaces what anyone wrote, links, data and the customer name', () => {
    const m: Message = {
      ...base,
      type: 'Text',
      from: { participantId: 'p1', type: 'Customer', nickname: 'Ann Secret' },
      text: 'my card is 4111',
      data: { x: 'y' },
      content: [{ type: 'file', mime: 'text/plain', url: '/f', name: 'secret.txt' }],
    };
    expect(anonymizeMessage(m)).toEqual({ ...base, type: 'Text', from: { participantId: 'p1', type: 'Customer', nickname: 'Customer' }, text: '[removed]' });
    const agent: Message = { ...base, type: 'PushUrl', from: { participantId: 'p2', type: 'Agent', nickname: 'Bob' }, url: 'https://x.example/ann', audienceAccountId: 'a1', visibility: 'Vip' };
    expect(anonymizeMessage(agent)).toEqual({ ...base, type: 'PushUrl', from: { participantId: 'p2', type: 'Agent', nickname: 'Bob' }, url: '[removed]', visibility: 'Vip' });
  });
  it('keeps interaction state changes, which say nothing about the customer', () => {
    const m: Message = { ...base, type: 'System', from: { participantId: '0', type: 'System' }, event: 'InteractionStateChange', data: { interactionState: 'Queued' }, interactionId: 'i1' };
    expect(anonymizeMessage(m)).toEqual(m);
  });
});
