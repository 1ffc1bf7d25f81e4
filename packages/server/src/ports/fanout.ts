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
  close(): Promise<void>;
}

export const topics = {
  session: (sessionId: string) => `session:${sessionId}`,
  deploymentQueue: (deploymentId: string) => `queue:${deploymentId}`,
  /** Changes to one agent's work: offers, assignments, presence. */
  agent: (accountId: string) => `agent:${accountId}`,
  /** Anything a supervisor overview shows. */
  supervisors: 'supervisors',
  /** Something entered or left a queue: routers run a pass. */
  routing: 'routing',
};
