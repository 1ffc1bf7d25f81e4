import fc from 'fast-check';
import { INTERACTION_STATES, type InteractionState } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { allowedTransitions, canTransition } from './interaction-state.js';

const ORDER: Record<InteractionState, number> = { Workflow: 0, Queued: 1, Offered: 2, Handling: 3, Finalizing: 4, Completed: 5 };

describe('interaction state machine', () => {
  it('follows the forward path of seed 000', () => {
    expect(canTransition('Queued', 'Offered')).toBe(true);
    expect(canTransition('Offered', 'Handling')).toBe(true);
    expect(canTransition('Handling', 'Finalizing')).toBe(true);
    expect(canTransition('Finalizing', 'Completed')).toBe(true);
  });

  it('never leaves Completed, never skips Finalizing after Handling, never goes back from Finalizing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INTERACTION_STATES), fc.constantFrom(...INTERACTION_STATES), (from, to) => {
        const ok = canTransition(from, to);
        if (from === 'Completed') expect(ok).toBe(false);
        if (from === 'Handling' && to === 'Completed') expect(ok).toBe(false);
        if (from === 'Finalizing') expect(ok).toBe(to === 'Completed');
        if (from === to) expect(ok).toBe(false);
        if (to === 'Finalizing') expect(ok).toBe(from === 'Handling');
      }),
    );
  });

  it('any random walk through accepted transitions ends or can reach Completed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INTERACTION_STATES), { maxLength: 50 }), (attempts) => {
        let state: InteractionState = 'Queued';
        for (const next of attempts) if (canTransition(state, next)) state = next;
        // From every reachable state there is a path to Completed.
        const seen = new Set<InteractionState>([state]);
        const todo = [state];
        while (todo.length) for (const n of allowedTransitions(todo.pop()!)) if (!seen.has(n)) (seen.add(n), todo.push(n));
        expect(seen.has('Completed') || state === 'Completed').toBe(true);
      }),
    );
  });

  it('only moves backwards along the ways routing needs', () => {
    const backwards: string[] = [];
    for (const from of INTERACTION_STATES) for (const to of allowedTransitions(from)) if (ORDER[to] < ORDER[from]) backwards.push(`${from}->${to}`);
    expect(backwards.sort()).toEqual(['Handling->Queued', 'Handling->Workflow', 'Offered->Queued', 'Queued->Workflow'].sort());
  });
});
