import fc from 'fast-check';
import { INTERACTION_STATES } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { afterCustomerText } from './segments.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const notice = { afterCompletion: 'notice' as const, noticeWindowSeconds: 60 };
const route = { afterCompletion: 'route' as const, noticeWindowSeconds: 60 };

describe("seed 000's segments: a customer's Text in an async session", () => {
  it('belongs to the open interaction while one is open', () => {
    for (const state of ['Workflow', 'Queued', 'Offered', 'Handling'] as const) {
      expect(afterCustomerText({ state, updatedAt: iso(T0), completedAt: null }, notice, T0)).toBe('continue');
    }
  });

  it('after Finalizing (the agent closed the segment, wrap-up goes on) starts the next interaction', () => {
    expect(afterCustomerText({ state: 'Finalizing', updatedAt: iso(T0), completedAt: null }, route, T0 + 1000)).toBe('route');
    expect(afterCustomerText({ state: 'Completed', updatedAt: iso(T0), completedAt: iso(T0) }, route, T0 + 1000)).toBe('route');
  });

  it('the notice policy answers within its window, counted from Finalizing or from completion', () => {
    expect(afterCustomerText({ state: 'Finalizing', updatedAt: iso(T0), completedAt: null }, notice, T0 + 60_000)).toBe('notice');
    expect(afterCustomerText({ state: 'Finalizing', updatedAt: iso(T0), completedAt: null }, notice, T0 + 60_001)).toBe('route');
    expect(afterCustomerText({ state: 'Completed', updatedAt: iso(T0 + 90_000), completedAt: iso(T0 + 90_000) }, notice, T0 + 120_000)).toBe('notice');
    expect(afterCustomerText({ state: 'Completed', updatedAt: iso(T0), completedAt: iso(T0) }, { ...notice, noticeWindowSeconds: 0 }, T0 + 1)).toBe('route');
  });

  it('no interaction yet: route', () => {
    expect(afterCustomerText(null, notice, T0)).toBe('route');
  });

  it('never leaves a message after a closed segment unanswered, never routes into an open one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INTERACTION_STATES),
        fc.constantFrom(notice, route),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        (state, policy, closedAfter, writtenAfter) => {
          const closedAt = iso(T0 + closedAfter);
          const got = afterCustomerText({ state, updatedAt: closedAt, completedAt: state === 'Completed' ? closedAt : null }, policy, T0 + closedAfter + writtenAfter);
          const closed = state === 'Finalizing' || state === 'Completed';
          expect(got === 'continue').toBe(!closed);
          if (closed && policy.afterCompletion === 'route') expect(got).toBe('route');
          if (closed && policy.afterCompletion === 'notice') expect(got).toBe(writtenAfter <= 60_000 ? 'notice' : 'route');
        },
      ),
    );
  });
});
