/**
 * Cross-reader notifications: "something changed on this topic, re-read the store".
 * Carries no data, so a lost notification costs latency, never a message.
 */
export interface Fanout {
  notify(topic: string): Promise<void>;
  /** Calls `onNotify` for every notification on `topic` until the returned function is called. */
  listen(topic: string, onNotify: () => void): () => void;
  /**
   * Readiness: true when notifications reach other nodes (always, for a single node). Answers
   * within about a second and never throws.
   */
  ping(): Promise<boolean>;
  /**
   * How often a waiting reader should re-read the store anyway, as a safety net for a notification
   * the adapter could have lost; Infinity when it cannot lose one (in-process).
   */
  readonly recheckMs: number;
  close(): Promise<void>;
}

/** A re-check timer for a waiting reader: none when the fan-out cannot lose notifications. */
export function recheckEvery(fanout: Fanout, fn: () => void): () => void {
  if (!Number.isFinite(fanout.recheckMs)) return () => {};
  const timer = setInterval(fn, fanout.recheckMs);
  timer.unref();
  return () => clearInterval(timer);
}

export const topics = {
  session: (sessionId: string) => `session:${sessionId}`,
  deploymentQueue: (deploymentId: string) => `queue:${deploymentId}`,
  /** Changes to one agent's work: offers, assignments, presence. */
  agent: (accountId: string) => `agent:${accountId}`,
  /** An account's access changed (role, password, disabled, logout): open sockets re-check it. */
  account: (accountId: string) => `account:${accountId}`,
  /** Anything a supervisor overview shows. */
  supervisors: 'supervisors',
  /** Something entered or left a queue: routers run a pass. */
  routing: 'routing',
};
