/**
 * One agent desktop connection (the agent WebSocket), a lease kept by the node holding the socket:
 * presence follows it on every node (core/presence-watch).
 */
export interface AgentConnection {
  id: string;
  accountId: string;
  /** The node holding the socket; it refreshes `seenAt` of its open connections. */
  nodeId: string;
  /** Last refresh while open; the close time once closed. */
  seenAt: string;
  closedAt: string | null;
}

/**
 * Agent desktop connections, the leases presence follows.
 * Contract: `putAgentConnection` inserts or replaces by id; counts returned are rows changed.
 */
export interface AgentConnectionStore {
  /** Inserts a connection, or replaces the one with its id. */
  putAgentConnection(c: AgentConnection): Promise<void>;
  /** Marks a connection closed at `atIso` (also its last `seenAt`). */
  closeAgentConnection(id: string, atIso: string): Promise<void>;
  /** Sets `seenAt` of the open connections a node holds; returns how many there are. */
  refreshAgentConnections(nodeId: string, atIso: string): Promise<number>;
  /** An account's connections, oldest `seenAt` first. */
  listAgentConnections(accountId: string): Promise<AgentConnection[]>;
  /** Accounts with connections, none of them seen after `beforeIso`, with the latest `seenAt` of each. */
  listAbsentAgents(beforeIso: string): Promise<{ accountId: string; lastSeenAt: string }[]>;
  /** Deletes an account's connections seen at or before `upToIso`; returns how many. */
  deleteAgentConnections(accountId: string, upToIso: string): Promise<number>;
}
