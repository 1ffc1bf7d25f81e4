import type { InteractionState } from '@parley/protocol';
import type { Interaction } from '../store.js';

/** One change of an interaction's state, as its System message recorded it (core/append-indexes.ts). */
export interface StateChange {
  sessionId: string;
  /** Numeric index of the System message. */
  indexNum: number;
  interactionId: string;
  state: InteractionState;
  at: string;
}

/** What the supervisors' day report reads: interactions of a period and how their states changed. */
export interface ReportsStore {
  recordStateChange(c: StateChange): Promise<void>;
  /** Interactions created at or after `fromIso` and before `toIso`, oldest first (at most `limit`). */
  listInteractionsCreatedBetween(fromIso: string, toIso: string, limit: number): Promise<Interaction[]>;
  /** The state changes of those interactions, in log order per interaction. */
  listStateChangesOfInteractionsCreatedBetween(fromIso: string, toIso: string): Promise<StateChange[]>;
}
