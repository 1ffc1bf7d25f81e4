export interface Queue {
  id: string;
  deploymentId: string;
  name: string;
  skills: string[];
  language: string | null;
  offerTimeoutSeconds: number;
  /** In async mode, how long a returning customer waits for the last agent who handled them. */
  stickySeconds: number;
}

/**
 * Routing queues of the deployments.
 * Contract: lists are by (deployment id,) name in byte order; `upsertQueue` inserts or replaces the
 * queue with its id (its deployment stays); `deleteQueue` is true when a queue was deleted.
 */
export interface QueueStore {
  listQueues(deploymentId?: string): Promise<Queue[]>;
  getQueue(deploymentId: string, name: string): Promise<Queue | null>;
  upsertQueue(q: Queue): Promise<void>;
  deleteQueue(id: string): Promise<boolean>;
}
