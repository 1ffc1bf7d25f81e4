import type { Presence, Store } from '../ports/store.js';

export interface QueueStats {
  queue: string;
  /** Interactions Queued or Offered. */
  waiting: number;
  longestWaitSeconds: number;
}

export interface OperationsSnapshot {
  queues: QueueStats[];
  agentsByPresence: Record<Presence, number>;
}

/** Queue depth, longest wait and agents by presence across every node, read in one transaction. */
export async function operationsSnapshot(store: Store, nowMs: number): Promise<OperationsSnapshot> {
  return store.tx(async (tx) => {
    const waiting = await tx.listInteractions({ states: ['Queued', 'Offered'] });
    const byQueue = new Map<string, QueueStats>();
    for (const i of waiting) {
      const q = byQueue.get(i.queue) ?? { queue: i.queue, waiting: 0, longestWaitSeconds: 0 };
      q.waiting++;
      q.longestWaitSeconds = Math.max(q.longestWaitSeconds, Math.max(0, (nowMs - Date.parse(i.queuedAt)) / 1000));
      byQueue.set(i.queue, q);
    }
    const agentsByPresence: Record<Presence, number> = { Ready: 0, NotReady: 0 };
    for (const p of await tx.listProfiles()) agentsByPresence[p.presence]++;
    return { queues: [...byQueue.values()], agentsByPresence };
  });
}
