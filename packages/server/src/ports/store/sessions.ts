/** Where a page of silent sessions ends: the next page starts after this session. */
export interface SilentAfter {
  lastCustomerAt: string;
  id: string;
}

export interface Session {
  id: string;
  deploymentId: string;
  async: boolean;
  state: 'Active' | 'Ended';
  customerParticipantId: string;
  transportId: string;
  userData: Record<string, string>;
  createdAt: string;
  endedAt: string | null;
  /** Numeric form of the last index appended (0 when the log is empty). */
  lastIndexNum: number;
  /** Last Text from the customer (or the start): idle control of synchronous chats. */
  lastCustomerAt: string;
  /** Last message of anyone: idle control of asynchronous sessions. */
  lastActivityAt: string;
}

/**
 * Sessions (the conversation container). `lastIndexNum`, `lastCustomerAt` and `lastActivityAt` are
 * moved by the log (LogStore.insertMessage), not by `updateSession`.
 * Contract: `getSession(id, true)` locks the row until the transaction ends; the idle lists return
 * only Active sessions, oldest clock first; a negative `limit` means no limit.
 */
export interface SessionStore {
  insertSession(s: Session): Promise<void>;
  /** Reads a session; `forUpdate` locks it for the rest of the transaction. */
  getSession(id: string, forUpdate?: boolean): Promise<Session | null>;
  updateSession(id: string, patch: Partial<Pick<Session, 'state' | 'endedAt' | 'userData'>>): Promise<void>;
  /**
   * Active sessions whose customer has been silent since before `beforeIso`, oldest first (by the
   * customer's clock, then id); with `after`, those that come after that one (the next page).
   */
  listSessionsCustomerSilentSince(beforeIso: string, limit: number, after?: SilentAfter): Promise<Session[]>;
  /** Active sessions (for supervisors), newest first. */
  listActiveSessions(limit: number): Promise<Session[]>;
  /** Sessions an account took part in (participant or assigned interaction), newest first. */
  listSessionsOfAccount(accountId: string, limit: number): Promise<Session[]>;
}
