import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store, StoreTx } from '../../ports/store.js';
import { WorkCounts } from '../../ports/work-counts.js';
import { sqliteAccounts } from './accounts.js';
import { sqliteAgentConnections } from './agent-connections.js';
import { sqliteAgentProfiles } from './agent-profiles.js';
import { sqliteConnection } from './connection.js';
import { sqliteDeployments } from './deployments.js';
import { sqliteDeskLists } from './desk-lists.js';
import { sqliteSurveys } from './surveys.js';
import { sqliteBusinessHours } from './business-hours.js';
import { sqliteFiles } from './files.js';
import { sqliteFlowRuns } from './flow-runs.js';
import { sqliteInteractions } from './interactions.js';
import { sqliteLog } from './log.js';
import { migrations } from './migrations.js';
import { sqliteOperations } from './operations.js';
import { sqliteParticipants } from './participants.js';
import { sqliteQueues } from './queues.js';
import { sqliteSessions } from './sessions.js';
import { sqliteSettings } from './settings.js';
import { reportOps } from './reports.js';
import { searchOps } from './search.js';
import { sqlAudit } from '../sql/audit.js';
import { sqlContacts } from '../sql/contacts.js';
import { sqlCustomerData } from '../sql/customer-data.js';
import { sqlStaffIdentities } from '../sql/staff-identities.js';
import { sqlWebhooks } from '../sql/webhooks.js';

interface PendingTx {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** The embedded default store: one SQLite file in WAL mode; transactions run one at a time. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ops: StoreTx;
  readonly work = new WorkCounts();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Savepoints (group commit) keep their journals in memory rather than in a temp file each.
    this.db.pragma('temp_store = MEMORY');
    // 64 MiB of page cache (the default is 2 MiB): the hot sessions' pages stay in memory, not re-read.
    this.db.pragma('cache_size = -65536');
    // Checkpoints every 10,000 pages (~40 MiB of WAL) instead of 1,000: a hot page rewritten by many
    // commits is copied to the database once per checkpoint, and the checkpoint's fsyncs come 10× rarer.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('journal_size_limit = 67108864');
    this.migrate();
    this.ops = this.buildOps();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set(
      this.db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r: any) => r.version),
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
      })();
    }
  }

  /** Transactions asked for in this turn of the event loop, committed together (group commit). */
  private pending: PendingTx[] = [];

  /**
   * better-sqlite3 is synchronous, but the port is async: transactions are queued so that the
   * awaits inside one never interleave with another's statements. Group commit: the transactions
   * asked for in one turn of the event loop (requests that arrived together) run one after another
   * inside one BEGIN/COMMIT, each in a savepoint of its own, so one that fails (a use case saying
   * no, an error) is rolled back alone and the others commit. Each caller's promise settles after
   * the COMMIT; if the COMMIT fails, every one of them fails.
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const run = () => this.commitTogether(batch);
    this.queue = this.queue.then(run, run);
  }

  private async commitTogether(batch: PendingTx[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      this.work.add('transactions');
      const alone = batch.length === 1;
      for (const item of batch) {
        if (!alone) this.db.exec('SAVEPOINT request');
        try {
          const value = await item.fn(this.ops);
          if (!alone) this.db.exec('RELEASE request');
          outcomes.push({ ok: true, value });
        } catch (error) {
          // SQLite rolled the whole transaction back by itself (it does on a few errors): nothing of it holds.
          if (!this.db.inTransaction) throw error;
          if (!alone) this.db.exec('ROLLBACK TO request; RELEASE request');
          outcomes.push({ ok: false, error });
        }
      }
      if (outcomes.some((o) => o.ok)) this.db.exec('COMMIT');
      else this.db.exec('ROLLBACK');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const next = this.queue.then(
      () => fn(this.ops),
      () => fn(this.ops),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.flush();
    await this.queue;
    this.db.close();
  }

  /** The aggregates' ops (one file each), over one connection. */
  private buildOps(): StoreTx {
    const db = sqliteConnection(this.db, this.work, () => this.db.inTransaction);
    const runner = { one: db.get, rows: db.all, run: db.run };
    // The dialect-specific aggregates (FTS5 search, reports) prepare their own texts, once each.
    const statements = new Map<string, Database.Statement>();
    const prepared = {
      prepare: (sql: string): Database.Statement => {
        this.work.add('statements');
        let st = statements.get(sql);
        if (!st) statements.set(sql, (st = this.db.prepare(sql)));
        return st;
      },
    };
    const { indexPending, indexMessageWords, ...search } = searchOps(prepared);
    const customerData = sqlCustomerData(runner);
    return {
      ...sqliteDeployments(db),
      ...sqliteAccounts(db),
      ...sqliteQueues(db),
      ...sqliteSessions(db),
      ...sqliteLog(db, indexMessageWords),
      ...sqliteParticipants(db),
      ...sqliteInteractions(db),
      ...sqliteAgentProfiles(db),
      ...sqliteAgentConnections(db),
      ...sqliteDeskLists(db),
      ...sqliteSurveys(db),
      ...sqliteBusinessHours(db),
      ...sqliteFlowRuns(db),
      ...sqliteOperations(db),
      ...sqliteFiles(db),
      ...sqliteSettings(db),
      ...search,
      ...sqlContacts(runner),
      ...reportOps(prepared),
      ...sqlWebhooks(runner, ''),
      ...sqlAudit(runner),
      ...customerData,
      // Erasure deletes a session's words from the FTS5 table: its pending words go there first.
      deleteSessionData: async (sessionId) => {
        indexPending();
        return customerData.deleteSessionData(sessionId);
      },
      anonymizeSessionData: async (sessionId, a) => {
        indexPending();
        return customerData.anonymizeSessionData(sessionId, a);
      },
      ...sqlStaffIdentities(runner),
    };
  }
}
