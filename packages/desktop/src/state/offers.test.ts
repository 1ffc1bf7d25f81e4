import { describe, expect, it } from 'vitest';
import type { AgentInteraction } from '@parley/protocol';
import { currentBySession, latestBySession, newOffers, offersFor, secondsLeft, workingOn } from './offers.js';

const T0 = '2026-01-01T00:00:00Z';
const base = {
  deploymentId: 'demo',
  queue: 'Support',
  priority: 0,
  wrapUpCode: null,
  createdAt: T0,
  updatedAt: T0,
  completedAt: null,
  queuedAt: T0,
  handledAt: null,
  offerExpiresAt: null,
  skills: [],
  language: null,
};
const i = (id: string, state: AgentInteraction['state'], agent: string | null, over: Partial<AgentInteraction> = {}): AgentInteraction => ({
  id,
  sessionId: `s-${id}`,
  state,
  agentAccountId: agent,
  ...base,
  ...over,
});

describe('offers', () => {
  it('new offers are alerted once', () => {
    const a = i('a', 'Offered', 'me');
    const b = i('b', 'Offered', 'me', { createdAt: '2026-01-01T00:00:01Z' });
    expect(newOffers([], [a], 'me')).toEqual([a]);
    expect(newOffers([a], [a, b], 'me')).toEqual([b]);
    expect(newOffers([a, b], [b], 'me')).toEqual([]);
    expect(offersFor([b, a, i('c', 'Offered', 'other'), i('d', 'Handling', 'me')], 'me')).toEqual([a, b]);
  });

  it('countdown', () => {
    const o = i('a', 'Offered', 'me', { offerExpiresAt: new Date(10_000).toISOString() });
    expect(secondsLeft(o, 0)).toBe(10);
    expect(secondsLeft(o, 9_001)).toBe(1);
    expect(secondsLeft(o, 20_000)).toBe(0);
    expect(secondsLeft(i('b', 'Offered', 'me'), 0)).toBeNull();
  });

  it('work and latest per session', () => {
    const list = [i('a', 'Handling', 'me'), i('b', 'Finalizing', 'me'), i('c', 'Completed', 'me'), i('d', 'Handling', 'x')];
    expect(workingOn(list, 'me').map((x) => x.id)).toEqual(['a', 'b']);
    const old = i('e', 'Completed', 'me', { sessionId: 's', createdAt: '2026-01-01T00:00:00Z' });
    const fresh = i('f', 'Handling', 'me', { sessionId: 's', createdAt: '2026-01-02T00:00:00Z' });
    expect(latestBySession([fresh, old]).get('s')).toBe(fresh);
  });

  it("a conversation shows its Finalizing interaction (the wrap-up) before the next one the customer's message started", () => {
    const wrap = i('w', 'Finalizing', 'me', { sessionId: 's', createdAt: '2026-01-01T00:00:00Z' });
    const next = i('n', 'Offered', 'me', { sessionId: 's', createdAt: '2026-01-01T00:01:00Z' });
    expect(currentBySession([wrap, next]).get('s')).toBe(wrap);
    expect(currentBySession([next, wrap]).get('s')).toBe(wrap);
    const handling = { ...next, state: 'Handling' as const };
    expect(currentBySession([handling, wrap]).get('s')).toBe(wrap);
    // wrap-up done: the next one
    expect(currentBySession([{ ...wrap, state: 'Completed' as const }, handling]).get('s')).toBe(handling);
    expect(currentBySession([handling]).get('s')).toBe(handling);
  });
});
