import { describe, expect, it } from 'vitest';
import { clocksAfter } from './log-append.js';

describe('clocksAfter (idle control)', () => {
  const at = '2025-01-01T12:00:00.000Z';
  it('a customer Text moves both clocks', () => {
    expect(clocksAfter({ type: 'Text', from: { participantId: 'c', type: 'Customer' }, utcTime: at })).toEqual({ lastActivityAt: at, lastCustomerAt: at });
  });
  it('anything else is activity only', () => {
    expect(clocksAfter({ type: 'TypingStarted', from: { participantId: 'c', type: 'Customer' }, utcTime: at })).toEqual({ lastActivityAt: at, lastCustomerAt: null });
    expect(clocksAfter({ type: 'Text', from: { participantId: 'a', type: 'Agent' }, utcTime: at })).toEqual({ lastActivityAt: at, lastCustomerAt: null });
    expect(clocksAfter({ type: 'Text', from: { participantId: 's', type: 'System' }, utcTime: at })).toEqual({ lastActivityAt: at, lastCustomerAt: null });
  });
});
