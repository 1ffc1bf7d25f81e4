import type { InteractionState } from '@parley/protocol';

export interface Interaction {
  id: string;
  sessionId: string;
  deploymentId: string;
  state: InteractionState;
  queue: string;
  priority: number;
  agentAccountId: string | null;
  wrapUpCode: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Routing requirements (seed 003 `interactionData.routing`). */
  skills: string[];
  language: string | null;
  /** When it last entered Queued: the routing age. */
  queuedAt: string;
  handledAt: string | null;
  offerExpiresAt: string | null;
  /** Agents who rejected or let an offer time out: not offered again. */
  declinedBy: string[];
  /** Offered only to this agent until `preferredUntil` (returning async customer, transfer to an agent). */
  preferredAgentId: string | null;
  preferredUntil: string | null;
}

export type InteractionPatch = Partial<
  Pick<
    Interaction,
    | 'state'
    | 'agentAccountId'
    | 'wrapUpCode'
    | 'updatedAt'
    | 'completedAt'
    | 'queue'
    | 'priority'
    | 'queuedAt'
    | 'handledAt'
    | 'offerExpiresAt'
    | 'declinedBy'
    | 'preferredAgentId'
    | 'preferredUntil'
    | 'skills'
    | 'language'
  >
>;

export interface InteractionFilter {
  states?: InteractionState[];
  agentAccountId?: string;
  sessionId?: string;
  queue?: string;
  deploymentId?: string;
  recentlyHandled?: number;
}

/**
 * Interactions (a session's segments handled by routing and agents).
 * Contract: interactions of a session are numbered in insertion order (`latestInteraction` is the
 * last inserted, whatever the clock says); `updateInteraction` is compare-and-set on the state, so
 * of racing writers exactly one succeeds; `getInteraction(id, true)` locks the row.
 */
export interface InteractionStore {
  insertInteraction(i: Interaction): Promise<void>;
  getInteraction(id: string, forUpdate?: boolean): Promise<Interaction | null>;
  /** The newest interaction of a session. */
  latestInteraction(sessionId: string): Promise<Interaction | null>;
  /** Oldest first (at most 1000); `recentlyHandled: n` instead gives the n most recently handled (`handledAt`), newest first. */
  listInteractions(filter: InteractionFilter): Promise<Interaction[]>;
  /**
   * Compare-and-set: updates only when the interaction is still in `expected`.
   * Returns false when another writer changed it first.
   */
  updateInteraction(id: string, expected: InteractionState, patch: InteractionPatch): Promise<boolean>;
  /** Interactions of a state an agent carries (Offered, Handling, Finalizing), counted per agent. */
  agentLoads(): Promise<Record<string, number>>;
}
