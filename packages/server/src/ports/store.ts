/**
 * The Store port, composed of one small interface per aggregate (ports/store/<aggregate>.ts, each
 * with its contract). Import paths stay `ports/store.js`: the records and interfaces are re-exported.
 */
import type { AccountStore } from './store/accounts.js';
import type { StaffIdentityStore } from './store/staff-identities.js';
import type { AuditStore } from './store/audit.js';
import type { CustomerDataStore } from './store/customer-data.js';
import type { WebhookStore } from './store/webhooks.js';
import type { ContactsStore } from './store/contacts.js';
import type { ReportsStore } from './store/reports.js';
import type { SearchStore } from './store/search.js';
import type { AgentConnectionStore } from './store/agent-connections.js';
import type { AgentProfileStore } from './store/agent-profiles.js';
import type { DeploymentStore } from './store/deployments.js';
import type { DeskListStore } from './store/desk-lists.js';
import type { FileRecordStore } from './store/files.js';
import type { FlowRunStore } from './store/flow-runs.js';
import type { InteractionStore } from './store/interactions.js';
import type { LogStore } from './store/log.js';
import type { OperationStore } from './store/operations.js';
import type { ParticipantStore } from './store/participants.js';
import type { QueueStore } from './store/queues.js';
import type { SessionStore } from './store/sessions.js';
import type { SettingStore } from './store/settings.js';
import type { SurveyStore } from './store/surveys.js';
import type { BusinessHoursStore } from './store/business-hours.js';
import type { WorkCounts } from './work-counts.js';

export type * from './store/accounts.js';
export type * from './store/agent-connections.js';
export type * from './store/agent-profiles.js';
export type * from './store/deployments.js';
export type * from './store/desk-lists.js';
export type * from './store/files.js';
export type * from './store/flow-runs.js';
export type * from './store/interactions.js';
export type * from './store/log.js';
export type * from './store/operations.js';
export type * from './store/participants.js';
export type * from './store/queues.js';
export type * from './store/sessions.js';
export type * from './store/settings.js';
export type * from './store/surveys.js';
export type * from './store/business-hours.js';

/**
 * Everything the core does to persistent state, inside one transaction.
 * Adapters guarantee: a `tx` callback runs atomically; if it throws, nothing is written. Isolation is
 * the adapter's (SQLite runs transactions one at a time; PostgreSQL runs READ COMMITTED), so core takes
 * row locks (`forUpdate`) wherever it reads, decides and writes. An adapter may run a callback again
 * after a serialization failure: callbacks must be safe to re-run (no side effects outside the tx).
 */
export interface StoreTx
  extends
    DeploymentStore,
    AccountStore,
    QueueStore,
    SessionStore,
    LogStore,
    ParticipantStore,
    InteractionStore,
    AgentProfileStore,
    AgentConnectionStore,
    DeskListStore,
    FlowRunStore,
    OperationStore,
    FileRecordStore,
    SettingStore,
    SearchStore,
    ContactsStore,
    ReportsStore,
    WebhookStore,
    AuditStore,
    CustomerDataStore,
    StaffIdentityStore,
    SurveyStore,
    BusinessHoursStore {}

/**
 * The store cannot be reached (the database is down, restarting, or a connection was cut): nothing
 * is wrong with the request, and the same request (with the same operationId) can be sent again
 * shortly. APIs answer it with 503 and Retry-After, sockets with close code 1013.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface Store {
  /**
   * Runs `fn` in one transaction; retried by the adapter on serialization conflicts and, while
   * nothing can have been committed, on lost connections. Throws StoreUnavailableError when the
   * database cannot be reached (or a COMMIT's outcome is unknown).
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` without a transaction (no BEGIN/COMMIT): each statement stands alone, as the statements
   * of a READ COMMITTED transaction see commits from one to the next anyway. For reads that take no
   * row lock (`forUpdate` is refused), and single statements that are whole in themselves (a
   * compare-and-set such as `advanceCursor`); never for a write that must go with another. Retried,
   * like `tx`, while the connection is lost; on SQLite it takes its turn with transactions.
   */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** What the adapter sent its database: `transactions`, `statements` and (client/server) `round_trips`. */
  readonly work?: WorkCounts;
}
