import type { Clock } from '../ports/clock.js';
import type { Account, Store } from '../ports/store.js';
import { AccountAdmin } from './admin/accounts.js';
import { BusinessHoursAdmin } from './admin/business-hours.js';
import { DeploymentAdmin } from './admin/deployments.js';
import { CannedResponseAdmin, WrapUpCodeAdmin } from './admin/desk-lists.js';
import { QueueAdmin } from './admin/queues.js';
import { ChatError } from './errors.js';
import type { StaffAuth } from './staff-auth.js';

/**
 * The admin use cases, one service per thing administered. Every one of them is for admins only:
 * `authenticate` is the gate the admin API passes each request through first.
 */
export class AdminService {
  readonly deployments: DeploymentAdmin;
  readonly queues: QueueAdmin;
  readonly accounts: AccountAdmin;
  readonly cannedResponses: CannedResponseAdmin;
  readonly wrapUpCodes: WrapUpCodeAdmin;
  readonly businessHours: BusinessHoursAdmin;

  constructor(
    store: Store,
    private readonly auth: StaffAuth,
    clock: Clock,
  ) {
    this.deployments = new DeploymentAdmin(store, clock);
    this.queues = new QueueAdmin(store);
    this.accounts = new AccountAdmin(store, auth, clock);
    this.cannedResponses = new CannedResponseAdmin(store);
    this.wrapUpCodes = new WrapUpCodeAdmin(store);
    this.businessHours = new BusinessHoursAdmin(store, clock);
  }

  /** The admin behind a staff bearer token; any other role is refused. */
  async authenticate(token: string | null): Promise<Account> {
    const { account } = await this.auth.authenticate(token);
    if (account.role !== 'admin') throw new ChatError('FORBIDDEN', 'this needs the admin role');
    return account;
  }
}
