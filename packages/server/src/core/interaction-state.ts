import type { InteractionState } from '@parley/protocol';

/**
 * The interaction state machine (docs/design.md): Workflow -> Queued -> Offered -> Handling -> Finalizing -> Completed,
 * plus the ways back that routing needs (an offer rejected or timed out, a transfer to a queue, a customer
 * going back to the bot) and the early ends when a session ends before an agent handled it.
 */
const TRANSITIONS: Record<InteractionState, readonly InteractionState[]> = {
  Workflow: ['Queued', 'Completed'],
  Queued: ['Offered', 'Handling', 'Workflow', 'Completed'],
  Offered: ['Queued', 'Handling', 'Completed'],
  Handling: ['Queued', 'Finalizing', 'Workflow'],
  Finalizing: ['Completed'],
  Completed: [],
};

export function canTransition(from: InteractionState, to: InteractionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: InteractionState): readonly InteractionState[] {
  return TRANSITIONS[from];
}

export function isOpen(state: InteractionState): boolean {
  return state !== 'Completed';
}
