/** An opening interval of one day, local wall-clock times `HH:MM` (close after open; `24:00` is the end of the day). */
export interface OpeningInterval {
  open: string;
  close: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** When a deployment (queue `''`) or one of its queues takes live chats. */
export interface BusinessHours {
  deploymentId: string;
  /** `''`: the deployment's hours, for every queue without hours of its own. */
  queue: string;
  /** An IANA time zone (`Europe/Paris`). */
  timeZone: string;
  /** Opening intervals per weekday; a day not listed is closed. */
  weekly: Partial<Record<Weekday, OpeningInterval[]>>;
  /** Local dates (`YYYY-MM-DD`) closed all day. */
  holidays: string[];
  updatedAt: string;
}

/**
 * Business hours per deployment and queue.
 * Contract: `putBusinessHours` replaces the hours of (deployment, queue); `listBusinessHours` is by
 * queue in byte order (the deployment's own, `''`, first); deletes are true when a row was deleted.
 */
export interface BusinessHoursStore {
  getBusinessHours(deploymentId: string, queue: string): Promise<BusinessHours | null>;
  listBusinessHours(deploymentId: string): Promise<BusinessHours[]>;
  putBusinessHours(h: BusinessHours): Promise<void>;
  deleteBusinessHours(deploymentId: string, queue: string): Promise<boolean>;
}
