import type { Clock } from '../../ports/clock.js';
import type { BusinessHours, Store } from '../../ports/store.js';
import { isTimeZone, minutesOf } from '../business-hours.js';
import { ChatError } from '../errors.js';

export type BusinessHoursInput = Omit<BusinessHours, 'deploymentId' | 'updatedAt'>;

/** When a deployment, or one of its queues, takes live chats (outside them the widget offers to leave a message). */
export class BusinessHoursAdmin {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  list(deploymentId: string): Promise<BusinessHours[]> {
    return this.store.tx(async (tx) => {
      if (!(await tx.getDeployment(deploymentId))) throw new ChatError('NOT_FOUND', 'no such deployment');
      return tx.listBusinessHours(deploymentId);
    });
  }

  /** Sets the hours of the deployment (queue `''`) or of one of its queues, replacing what was there. */
  async put(deploymentId: string, input: BusinessHoursInput): Promise<BusinessHours> {
    if (!isTimeZone(input.timeZone)) throw new ChatError('INVALID_REQUEST', `unknown time zone ${input.timeZone}; use an IANA name like Europe/Paris`);
    for (const [day, intervals] of Object.entries(input.weekly)) {
      for (const i of intervals ?? []) if (minutesOf(i.open) >= minutesOf(i.close)) throw new ChatError('INVALID_REQUEST', `${day}: ${i.open}-${i.close} closes before it opens`);
    }
    const hours: BusinessHours = { ...input, holidays: [...new Set(input.holidays)].sort(), deploymentId, updatedAt: new Date(this.clock.now()).toISOString() };
    await this.store.tx(async (tx) => {
      const deployment = await tx.getDeployment(deploymentId);
      if (!deployment) throw new ChatError('NOT_FOUND', 'no such deployment');
      if (hours.queue !== '' && hours.queue !== deployment.defaultQueue && !(await tx.getQueue(deploymentId, hours.queue)))
        throw new ChatError('NOT_FOUND', `no queue ${hours.queue} in this deployment`);
      await tx.putBusinessHours(hours);
    });
    return hours;
  }

  async delete(deploymentId: string, queue: string): Promise<void> {
    if (!(await this.store.tx((tx) => tx.deleteBusinessHours(deploymentId, queue)))) throw new ChatError('NOT_FOUND', 'no business hours set there');
  }
}
