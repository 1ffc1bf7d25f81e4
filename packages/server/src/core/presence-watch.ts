import type { Clock } from '../ports/clock.js';
import type { Interaction, Store, StoreTx } from '../ports/store.js';
import { newId } from './ids.js';
import type { LogTx } from './log-writer.js';

export interface PresenceSettings {
  /** An agent whose last desktop connection has been gone this long becomes NotReady ("Disconnected"). */
  graceMs: number;
  /** ...and the interactions they handle go back to the queue once it has been gone this long. */
  handlingGraceMs: number;
}

export const DISCONNECTED_REASON = 'Disconnected';
export const REQUEUED_NOTICE = 'Your agent was disconnected. You are back in the queue: the next available agent will continue the conversation.';

/** What one sweep changed: agents made NotReady, and interactions sent back to the queue (with the agent they had). */
export interface PresenceSweep {
  agents: string[];
  requeued: Interaction[];
}

/**
 * Presence follows the agent desktop's connection, on every node. Each desktop socket is a lease
 * row in the store; the node holding the socket refreshes it, and closing the socket stamps the
 * close time. Any node's routing pass sweeps the leases (with the router lock held): an account
 * whose connections were all last seen more than the grace ago goes NotReady, its pending offers go
 * back to the queue (not as its decline), and after the longer grace so do the interactions it
 * handles, with a notice to the customer. A lease of a node that died stops being refreshed, so the
 * rule holds for it too.
 */
export class PresenceWatch {
  readonly nodeId = newId();
  /** Open connections on this node: connection id -> account id. */
  private readonly open = new Map<string, string>();
  private lastRefreshMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly settings: PresenceSettings,
  ) {}

  private timer: NodeJS.Timeout | null = null;

  /**
   * Refreshes this node's leases on a timer of their own: a routing pass waiting its turn behind
   * other nodes' (the router lock) must not delay them.
   */
  start(): void {
    this.timer = setInterval(() => {
      if (!this.open.size) return;
      void this.store.tx((tx) => this.refresh(tx, this.clock.now())).catch(() => undefined);
    }, this.refreshEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Refreshes well within the grace, so an open socket never looks gone. */
  get refreshEveryMs(): number {
    return Math.max(100, Math.min(5_000, Math.floor(this.settings.graceMs / 4)));
  }

  private iso(ms = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  /** A desktop connection of `accountId` opened on this node; the function returned ends it. */
  track(accountId: string): () => void {
    const id = newId();
    this.open.set(id, accountId);
    // A failed write is repaired by the next refresh (which re-inserts missing leases).
    const opened = this.store
      .tx(async (tx) => {
        const now = this.clock.now();
        // Leases closed (or left by a dead node) before the grace no longer count once this one is open.
        await tx.deleteAgentConnections(accountId, this.iso(now - this.settings.graceMs));
        await tx.putAgentConnection({ id, accountId, nodeId: this.nodeId, seenAt: this.iso(now), closedAt: null });
      })
      .catch(() => undefined);
    return () => {
      if (!this.open.delete(id)) return;
      // After the insert, so a quick close is never overwritten by it. A failed close leaves the
      // lease unrefreshed: it counts as gone from its last refresh.
      void opened.then(() => this.store.tx((tx) => tx.closeAgentConnection(id, this.iso()))).catch(() => undefined);
    };
  }

  /** Open connections on this node. */
  get openCount(): number {
    return this.open.size;
  }

  private async refresh(tx: StoreTx, nowMs: number): Promise<void> {
    this.lastRefreshMs = nowMs;
    if (!this.open.size) return;
    const at = this.iso(nowMs);
    const refreshed = await tx.refreshAgentConnections(this.nodeId, at);
    if (refreshed >= this.open.size) return;
    for (const [id, accountId] of this.open) await tx.putAgentConnection({ id, accountId, nodeId: this.nodeId, seenAt: at, closedAt: null });
  }

  /** Whether a sweep at `nowMs` would find an agent to judge (a read, outside the routing pass's write). */
  async anyAbsent(tx: StoreTx, nowMs: number): Promise<boolean> {
    return (await this.absentAgents(tx, nowMs)).length > 0;
  }

  /** Accounts whose connections were all last seen before the grace. */
  private absentAgents(tx: StoreTx, nowMs: number) {
    return tx.listAbsentAgents(this.iso(nowMs - this.settings.graceMs));
  }

  /** One pass, inside the routing pass's write (after the router lock). */
  async sweep(w: LogTx, nowMs: number): Promise<PresenceSweep> {
    const tx = w.tx;
    // The clock may jump (tests step it): this node's own leases are fresh before anyone is judged.
    if (nowMs - this.lastRefreshMs >= this.refreshEveryMs || nowMs < this.lastRefreshMs) await this.refresh(tx, nowMs);
    const result: PresenceSweep = { agents: [], requeued: [] };
    for (const { accountId, lastSeenAt } of await this.absentAgents(tx, nowMs)) {
      const profile = await tx.getProfile(accountId);
      if (profile?.presence === 'Ready') {
        await tx.upsertProfile({ ...profile, presence: 'NotReady', reason: DISCONNECTED_REASON, updatedAt: this.iso(nowMs) });
        result.agents.push(accountId);
      }
      for (const listed of await tx.listInteractions({ states: ['Offered'], agentAccountId: accountId })) {
        // Locked and read again: the agent may have accepted it meanwhile.
        const session = await tx.getSession(listed.sessionId, true);
        const offered = await tx.getInteraction(listed.id, true);
        if (!session || offered?.state !== 'Offered' || offered.agentAccountId !== accountId) continue;
        // Not their decline: they may be offered it again once back.
        await w.transition(session, offered, 'Queued', { agentAccountId: null, queuedAt: offered.queuedAt });
        result.requeued.push(offered);
      }
      if (Date.parse(lastSeenAt) > nowMs - this.settings.handlingGraceMs) continue;
      const account = await tx.getAccount(accountId);
      for (const listed of await tx.listInteractions({ states: ['Handling'], agentAccountId: accountId })) {
        const session = await tx.getSession(listed.sessionId, true);
        const handled = await tx.getInteraction(listed.id, true);
        if (!session || session.state !== 'Active' || handled?.state !== 'Handling' || handled.agentAccountId !== accountId) continue;
        if (account) await w.leaveIfConnected(session, account);
        await w.appendSystem(session, { type: 'Notice', visibility: 'All', text: REQUEUED_NOTICE, subtype: 'AgentDisconnected' });
        await w.transition(session, handled, 'Queued', { agentAccountId: null, preferredAgentId: null, preferredUntil: null, queuedAt: handled.queuedAt });
        result.requeued.push(handled);
      }
      await tx.deleteAgentConnections(accountId, lastSeenAt);
    }
    return result;
  }
}
