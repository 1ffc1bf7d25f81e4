import type { WorkCounts } from './work-counts.js';

/**
 * Cross-reader notifications: "something changed on this topic, re-read the store". A notification
 * may carry `data`, a hint that spares a reader the re-read (core/write-notes.ts: what a write
 * appended, signed); a listener never depends on it: a lost notification, or one without data,
 * costs a re-read and latency, never a message.
 */
export interface Fanout {
  /** `data`: handed to every listener of the topic, on this node and the others, with the notification. */
  notify(topic: string, data?: string): Promise<void>;
  /** Calls `onNotify` for every notification on `topic` (with its data, if any) until the returned function is called. */
  listen(topic: string, onNotify: (data?: string) => void): () => void;
  /**
   * Readiness: true when notifications reach other nodes (always, for a single node). Answers
   * within about a second and never throws.
   */
  ping(): Promise<boolean>;
  /**
   * How often a waiting reader should re-read the store anyway: rarely, as a safety net for a
   * notification the adapter could have lost, and often (a few times a second) while the adapter
   * is down and notifications from other nodes do not arrive. Infinity when it cannot lose one
   * (in-process). Read it each time a reader goes to sleep: it changes.
   */
  readonly recheckMs: number;
  /** Calls `fn` whenever `recheckMs` changes (the fan-out went down or came back); returns an unsubscribe. */
  onRecheckChange?(fn: () => void): () => void;
  /** Commands sent to the fan-out's server, by command name (PUBLISH, SUBSCRIBE...); none in process. */
  readonly work?: WorkCounts;
  close(): Promise<void>;
}

/**
 * A re-check timer for a waiting reader, following the fan-out's current `recheckMs`: none when
 * the fan-out cannot lose notifications.
 */
export function recheckEvery(fanout: Fanout, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || !Number.isFinite(fanout.recheckMs)) return;
    timer = setTimeout(() => {
      fn();
      schedule();
    }, fanout.recheckMs);
    timer.unref();
  };
  const unwatch = fanout.onRecheckChange?.(schedule) ?? (() => {});
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unwatch();
  };
}

export const topics = {
  session: (sessionId: string) => `session:${sessionId}`,
  deploymentQueue: (deploymentId: string) => `queue:${deploymentId}`,
  /** Changes to one agent's work: offers, assignments, presence. */
  agent: (accountId: string) => `agent:${accountId}`,
  /** An account's access changed (role, password, disabled, logout): open sockets re-check it. */
  account: (accountId: string) => `account:${accountId}`,
  /**
   * A deployment, an API key or an account changed (core/directory-cache.ts): every node drops what
   * it remembers of them and reads them again.
   */
  directory: 'directory',
  /** A webhook was created, changed or deleted (core/webhooks/subscriptions.ts): every node reads the lists again. */
  webhooks: 'webhooks',
  /** Anything a supervisor overview shows. */
  supervisors: 'supervisors',
  /** Something entered or left a queue: routers run a pass. */
  routing: 'routing',
};
