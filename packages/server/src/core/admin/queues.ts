import type { Queue, Store } from '../../ports/store.js';
import { ChatError } from '../errors.js';
import { newId } from '../ids.js';

/** A queue as an admin writes it; a deployment's queue is named uniquely within it. */
export type QueueInput = Omit<Queue, 'id'>;

/** Routing queues: listed, created or replaced by (deployment, name), deleted. */
export class QueueAdmin {
  constructor(private readonly store: Store) {}

  list(): Promise<Queue[]> {
    return this.store.tx((tx) => tx.listQueues());
  }

  /** Creates the queue, or replaces the one of that deployment and name (which keeps its id). */
  put(input: QueueInput): Promise<Queue> {
    return this.store.tx(async (tx) => {
      if (!(await tx.getDeployment(input.deploymentId))) throw new ChatError('NOT_FOUND', 'deployment not found');
      const existing = await tx.getQueue(input.deploymentId, input.name);
      const queue: Queue = { id: existing?.id ?? newId(), ...input };
      await tx.upsertQueue(queue);
      return queue;
    });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.tx((tx) => tx.deleteQueue(id)))) throw new ChatError('NOT_FOUND', 'no such queue');
  }
}
