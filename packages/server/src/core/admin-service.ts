import type { Clock } from '../ports/clock.js';
import type { Fanout } from '../ports/fanout.js';
import type { Store } from '../ports/store.js';
import { AccountAdmin } from './admin/accounts.js';
import { BusinessHoursAdmin } from './admin/business-hours.js';
import { DeploymentAdmin } from './admin/deployments.js';
import { CannedResponseAdmin, WrapUpCodeAdmin } from './admin/desk-lists.js';
import { QueueAdmin } from './admin/queues.js';
import { WebhookAdmin } from './admin/webhooks.js';
import type { StaffAuth } from './staff-auth.js';
import type { AuditTrail } from './audit-trail.js';
import type { CustomerData } from './customer-data.js';

/**
 * The admin use cases, one service per thing administered. Every one of them is for admins only:
 * the admin API authorizes each request (`admin.manage`, core/authorize.ts) before any handler.
 */
export class AdminService {
  readonly deployments: DeploymentAdmin;
  readonly queues: QueueAdmin;
  readonly accounts: AccountAdmin;
  readonly cannedResponses: CannedResponseAdmin;
  readonly wrapUpCodes: WrapUpCodeAdmin;
  readonly webhooks: WebhookAdmin;
  readonly businessHours: BusinessHoursAdmin;

  constructor(
    store: Store,
    private readonly auth: StaffAuth,
    clock: Clock,
    fanout: Fanout,
    /** The audit trail, for admins to query and export (never to change). */
    readonly audit: AuditTrail,
    /** A customer's data: export (access) and erasure. */
    readonly customers: CustomerData,
  ) {
    this.deployments = new DeploymentAdmin(store, clock, fanout);
    this.queues = new QueueAdmin(store);
    this.accounts = new AccountAdmin(store, auth, clock);
    this.cannedResponses = new CannedResponseAdmin(store);
    this.wrapUpCodes = new WrapUpCodeAdmin(store);
    this.webhooks = new WebhookAdmin(store, clock, fanout);
    this.businessHours = new BusinessHoursAdmin(store, clock);
  }
}
