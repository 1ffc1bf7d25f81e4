import pg from 'pg';
import { StoreUnavailableError, type Store, type StoreTx } from '../../ports/store.js';
import { WorkCounts } from '../../ports/work-counts.js';
import type { Row } from '../store-rows.js';
import { pgAccounts } from './accounts.js';
import { pgAgentConnections } from './agent-connections.js';
import { pgAgentProfiles } from './agent-profiles.js';
import { pgConnection, type AttemptQueries } from './connection.js';
import { pgDeployments } from './deployments.js';
import { pgDeskLists } from './desk-lists.js';
import { pgSurveys } from './surveys.js';
import { pgBusinessHours } from './business-hours.js';
import { pgFiles } from './files.js';
import { pgFlowRuns } from './flow-runs.js';
import { pgInteractions } from './interactions.js';
import { pgLog } from './log.js';
import { migrations } from './migrations.js';
import { pgOperations } from './operations.js';
import { pgParticipants } from './participants.js';
import { pgQueues } from './queues.js';
import { pgSessions } from './sessions.js';
import { pgSettings } from './settings.js';
import { reportOps } from './reports.js';
import { searchOps } from './search.js';
import { sqlAudit } from '../sql/audit.js';
import { sqlContacts } from '../sql/contacts.js';
import { sqlCustomerData } from '../sql/customer-data.js';
import { sqlStaffIdentities } from '../sql/staff-identities.js';
import { sqlWebhooks } from '../sql/webhooks.js';
import { PostgresFileStore } from '../files-postgres.js';
import type { FileStore } from '../../ports/file-store.js';

export interface PostgresStoreOptions {
  /**
   * Schema to keep Parley's tables in (created when missing); every pooled connection gets
   * `search_path` set to it. Without it, the connection's own search_path applies.
   */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** How long an unused pooled connection stays open (default 600 000 ms; 0: until the store closes). */
  idleMs?: number;
  /** Attempts of one `tx` before a retryable failure is given up and thrown (default 8). */
  maxAttempts?: number;
  /** Called before each retry of a `tx`, with the failure that caused it. */
  onRetry?: (err: unknown, attempt: number) => void;
  /**
   * How long one `tx` keeps retrying a lost or refused connection before it gives up with
   * StoreUnavailableError (default 1500 ms): short, so requests fail fast during an outage.
   */
  unavailableRetryMs?: number;
  /** How long a checkout waits for a connection (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** SQLSTATE classes and socket errors that mean "the database is not reachable", not "the statement is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|not queryable|terminating connection/i;

/** The failure is the connection's (lost, refused, shut down), not the transaction's. */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
}

/** int8 (BIGINT) values come back as strings from the driver; Parley's all fit a JS number. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`BIGINT ${value} does not fit a JavaScript number`);
  return n;
}
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: any) => (oid === pg.types.builtins.INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Failures after which the whole transaction is run again (nothing of it was committed):
 * `conflict` for serialization failures and deadlocks; `duplicate-operation` when another writer
 * stored the same operationId first. That writer has committed, so one retry finds its result.
 */
type RetryReason = 'conflict' | 'duplicate-operation' | 'stale-statement' | 'connection';
function retryReason(err: unknown): RetryReason | null {
  const e = err as { code?: unknown; table?: unknown; constraint?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  if (e.code === '40001' || e.code === '40P01') return 'conflict'; // serialization_failure, deadlock_detected
  // A migration (from a newer node) changed a table under a prepared `SELECT *`: the connection
  // is dropped with its prepared statements, and the transaction runs again on a fresh one.
  if (e.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan')) return 'stale-statement';
  // A batch's EXECUTE whose PREPARE never ran on this connection (TxRun.batch): a fresh one prepares it.
  if (e.code === '26000') return 'stale-statement';
  if (e.code === '23505' && (e.table === 'operations' || e.constraint === 'operations_pkey')) return 'duplicate-operation';
  return null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `commitUnknown`: the connection broke during COMMIT, so whether it committed is not known. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; retry: RetryReason | null; commitUnknown?: boolean };

/**
 * Parley's statements are a small fixed set of texts: each gets a name, so that every pooled
 * connection parses and plans it once (a named prepared statement) instead of on every call.
 * Texts past the cap (none today; a guard against generated SQL) run unnamed.
 */
const MAX_NAMED_STATEMENTS = 500;
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `parley_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Statements that only read (row locks aside); anything else (INSERT, UPDATE, a WITH ... UPDATE) may write. */
const READ_STATEMENT = /^\s*SELECT\b/i;
const LOCKING_STATEMENT = /\bFOR (NO KEY )?UPDATE\b/i;

/**
 * Values written as SQL literals, as PostgreSQL would take them as parameters (text of no declared
 * type, its type found from where it stands); null when a value is not a string, a finite number, a
 * boolean or null.
 */
function literalsOf(values: readonly unknown[], escape: (s: string) => string): string[] | null {
  const literals: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) literals.push('NULL');
    else if (typeof v === 'string') literals.push(escape(v));
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') literals.push(`'${String(v)}'`);
    else return null;
  }
  return literals;
}

/** SQL that prepares `text` under `name` on the connection it runs on (its parameters' types found as a Parse would). */
export const prepareText = (name: string, text: string) => `PREPARE ${name} AS ${text}`;

/** SQL that runs the statement prepared under `name` with `values` written in (literalsOf); null when a value cannot be. */
export function executeText(name: string, values: readonly unknown[], escape: (s: string) => string): string | null {
  const literals = literalsOf(values, escape);
  if (!literals) return null;
  return literals.length ? `EXECUTE ${name}(${literals.join(', ')})` : `EXECUTE ${name}`;
}

/** How many parameters a text takes (its highest $n). */
const parameterCounts = new Map<string, number>();
function parameterCount(text: string): number {
  let n = parameterCounts.get(text);
  if (n === undefined) {
    n = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    if (parameterCounts.size < MAX_NAMED_STATEMENTS) parameterCounts.set(text, n);
  }
  return n;
}

/**
 * The statements each pooled connection has had a `PREPARE` for, under the names of a batch (`b` +
 * the statement's name: node-postgres prepares under the plain names, and would refuse one taken).
 * Counted as prepared when the `PREPARE` goes out: PostgreSQL keeps it even when its transaction
 * fails, and one that never ran (an earlier statement of its batch failed) fails the next `EXECUTE`
 * with 26000, which drops the connection and runs the transaction again.
 */
const batchPrepared = new WeakMap<pg.PoolClient, Set<string>>();

/** A simple-protocol query of several statements, and which of its results are theirs. */
interface Batch {
  texts: string[];
  results: number[];
}

/** A statement in PostgreSQL's text, with its values. */
interface PgStatement {
  text: string;
  values: unknown[];
}

/** One attempt of a transaction on one pooled client. */
class TxRun {
  /** The first statement that failed: PostgreSQL ignores everything after it until ROLLBACK. */
  failure: unknown = undefined;
  finished = false;
  /** A statement that changes data ran: a COMMIT lost on the wire may have stored it. */
  wrote = false;
  /** BEGIN has gone out (with the first statement): COMMIT or ROLLBACK must follow. */
  begun = false;
  /** Writes whose outcome nobody waits for: they go out with COMMIT, or with the next statement. */
  private readonly deferred: PgStatement[] = [];
  /** Rows read under a lock this attempt holds, until it writes anything (PgConnection.keep). */
  readonly kept = new Map<string, Row[]>();
  constructor(
    private readonly client: pg.PoolClient,
    private readonly work: WorkCounts,
    /** False for `read`: no BEGIN/COMMIT, every statement stands alone. */
    private readonly transaction = true,
  ) {}

  async query(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    return (await this.queryAll([{ text, values: values ?? [] }]))[0]!;
  }

  /**
   * Statements run in order, in one round trip with the deferred writes before them (and BEGIN,
   * when they open the transaction): node-postgres does not pipeline, but one simple-protocol query
   * may hold them all, their values written in as literals. A lone statement, or one whose values
   * cannot be written in, runs as a named prepared statement.
   */
  async queryAll(statements: PgStatement[]): Promise<pg.QueryResult<Row>[]> {
    this.usable();
    for (const { text } of statements) {
      // A write's own row locks (the outbox claim's SKIP LOCKED) hold until it commits, all it needs.
      if (!this.transaction && READ_STATEMENT.test(text) && LOCKING_STATEMENT.test(text)) throw new Error('a row lock outside a transaction holds nothing: use tx');
      if (!READ_STATEMENT.test(text)) this.writes();
      this.work.add('statements');
    }
    try {
      const begin = this.transaction && !this.begun ? ['BEGIN'] : [];
      const before = this.deferred.splice(0);
      const all = [...before, ...statements];
      const batch = begin.length + all.length > 1 ? this.batch(all, begin) : null;
      this.begun ||= this.transaction;
      if (batch) {
        this.work.add('round_trips');
        const response = await this.simple(batch.texts);
        return batch.results.slice(before.length).map((i) => response[i]!);
      }
      if (begin.length) {
        this.work.add('round_trips');
        await this.client.query('BEGIN');
      }
      const results: pg.QueryResult<Row>[] = [];
      for (const s of all) {
        this.work.add('round_trips');
        results.push(await this.prepared(s.text, s.values));
      }
      return results.slice(before.length);
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  /**
   * A write whose outcome the transaction does not wait for (an idempotency record, an append): it
   * goes out with COMMIT or the next statement, in the same round trip, and its failure fails that
   * round trip. Outside a transaction, or before its first statement, it runs now.
   */
  async queryLater(text: string, values: unknown[]): Promise<void> {
    if (!this.transaction || !this.begun) {
      await this.query(text, values);
      return;
    }
    this.usable();
    this.writes();
    this.work.add('statements');
    this.deferred.push({ text, values });
  }

  /** COMMIT, with the deferred writes (one round trip when their values can be written in). */
  async commit(): Promise<void> {
    try {
      const batch = this.batch(this.deferred, []);
      if (batch) {
        this.deferred.length = 0;
        this.work.add('round_trips');
        await this.simple([...batch.texts, 'COMMIT']);
        return;
      }
      for (const d of this.deferred.splice(0)) {
        this.work.add('round_trips');
        await this.prepared(d.text, d.values);
      }
      this.work.add('round_trips');
      await this.client.query('COMMIT');
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  private usable(): void {
    if (this.finished) throw new Error('this transaction has already finished; StoreTx must not be used outside its tx callback');
  }

  private writes(): void {
    this.wrote = true;
    this.kept.clear();
  }

  /**
   * The statements, after `head`, as one simple-protocol query: each an `EXECUTE` of a statement
   * prepared on this connection, its values written in as literals, so the backend plans nothing
   * anew (a `PREPARE` goes before its first one). Null when one has no name or a value that cannot
   * be written in.
   */
  private batch(statements: readonly PgStatement[], head: string[]): Batch | null {
    let prepared = batchPrepared.get(this.client);
    if (!prepared) batchPrepared.set(this.client, (prepared = new Set()));
    const texts = [...head];
    const results: number[] = [];
    const preparing: string[] = [];
    for (const s of statements) {
      const name = statementName(s.text);
      const execute = name && s.values.length === parameterCount(s.text) ? executeText(`b${name}`, s.values, (v) => this.client.escapeLiteral(v)) : null;
      if (!name || execute === null) return null;
      if (!prepared.has(`b${name}`) && !preparing.includes(`b${name}`)) {
        preparing.push(`b${name}`);
        texts.push(prepareText(`b${name}`, s.text));
      }
      results.push(texts.length);
      texts.push(execute);
    }
    for (const name of preparing) prepared.add(name);
    return { texts, results };
  }

  private async simple(texts: string[]): Promise<pg.QueryResult<Row>[]> {
    const response = (await this.client.query<Row>(texts.join('; '))) as unknown as pg.QueryResult<Row> | pg.QueryResult<Row>[];
    return Array.isArray(response) ? response : [response];
  }

  private prepared(text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    const name = statementName(text);
    return this.client.query<Row>(name ? { name, text, values: values as any[] } : { text, values: values as any[] });
  }
}

/**
 * PostgreSQL store for several nodes sharing one database. Transactions run at READ COMMITTED on
 * one pooled client each; the rows that must not change underneath a transaction are locked
 * explicitly (`forUpdate` reads, the session row on append, compare-and-set updates), and the
 * whole callback is retried on deadlocks, serialization failures and concurrent duplicate
 * operationIds.
 */
export class PostgresStore implements Store {
  private closed = false;
  readonly work = new WorkCounts();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresStoreOptions,
  ) {}

  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`schema name ${JSON.stringify(schema)} must be a plain identifier`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      idleTimeoutMillis: options.idleMs ?? 600_000,
      types: typeParsers,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    });
    // An idle client losing its connection is dropped by the pool; the next checkout reconnects.
    pool.on('error', () => undefined);
    if (schema !== undefined) {
      // Queued before anything else the pool hands this client out for.
      pool.on('connect', (client) => {
        client.query(`SET search_path TO ${quoteIdent(schema)}`).catch(() => undefined);
      });
    }
    try {
      await migrate(pool, schema);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStore(pool, options);
  }

  /** Uploaded files kept in this database (its pool and schema), readable from every node. */
  fileStore(): FileStore {
    return new PostgresFileStore(this.pool);
  }

  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.run(fn, true);
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.run(fn, false);
  }

  private async run<T>(fn: (tx: StoreTx) => Promise<T>, transaction: boolean): Promise<T> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 8);
    const unavailableUntil = Date.now() + (this.options.unavailableRetryMs ?? 1_500);
    let duplicateRetried = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(fn, transaction);
      if (outcome.ok) return outcome.value;
      if (outcome.commitUnknown) {
        // Running it again could store it twice: the client retries (with its operationId) instead.
        throw new StoreUnavailableError('the database connection was lost during COMMIT; retry the request', { cause: outcome.error });
      }
      if (outcome.retry === 'connection') {
        // Nothing of this attempt was committed: safe to run again on a fresh connection, briefly.
        if (this.closed || Date.now() >= unavailableUntil) throw new StoreUnavailableError('the database is not reachable; retry shortly', { cause: outcome.error });
        this.options.onRetry?.(outcome.error, attempt);
        await sleep(Math.min(400, 50 * 2 ** Math.min(attempt - 1, 4)) * (0.5 + Math.random() / 2));
        continue;
      }
      if (!outcome.retry || attempt >= maxAttempts || this.closed) throw outcome.error;
      if (outcome.retry === 'duplicate-operation') {
        // Once is enough when the callback looks the operation up first; a second time means it does not.
        if (duplicateRetried) throw outcome.error;
        duplicateRetried = true;
        this.options.onRetry?.(outcome.error, attempt);
        continue;
      }
      this.options.onRetry?.(outcome.error, attempt);
      // Full jitter on an exponential backoff: 10ms, 20ms, ... capped at 500ms.
      await sleep(Math.random() * Math.min(500, 10 * 2 ** (attempt - 1)));
    }
  }

  private async attempt<T>(fn: (tx: StoreTx) => Promise<T>, transaction: boolean): Promise<Outcome<T>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { ok: false, error, retry: isConnectionFailure(error) ? 'connection' : null };
    }
    const run = new TxRun(client, this.work, transaction);
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: without one, a connection that breaks
    // (reset, terminated, the database restarting) would be an unhandled 'error' and end the process.
    const onError = (err: Error) => {
      broken ??= err;
    };
    client.on('error', onError);
    let ended = false;
    /** A connection failure, with nothing committed, is retried on a fresh connection. */
    const failed = (error: unknown, cause: unknown = error): Outcome<T> => {
      if (isConnectionFailure(cause) || isConnectionFailure(error) || broken) {
        broken ??= (cause ?? error) as Error;
        return { ok: false, error, retry: 'connection' };
      }
      return { ok: false, error, retry: retryReason(cause) ?? retryReason(error) };
    };
    try {
      // BEGIN goes out with the first statement (TxRun.queryAll).
      if (transaction) this.work.add('transactions');
      let value: T;
      const bound = this.opsOf(client);
      bound.run = run;
      try {
        value = await fn(bound.ops);
      } catch (error) {
        return failed(error, run.failure ?? error);
      }
      // A failed statement the callback swallowed: COMMIT would silently roll back.
      if (run.failure !== undefined) return failed(run.failure);
      if (!transaction || !run.begun) {
        // A read, or a transaction that ran no statement: nothing to commit.
        ended = true;
        return { ok: true, value };
      }
      try {
        await run.commit();
      } catch (error) {
        // A failed COMMIT has ended the transaction (rolled back) unless the connection broke:
        // then it may or may not have committed.
        if (isConnectionFailure(error) || broken) {
          broken ??= error as Error;
          // A transaction that only read can run again whatever became of its COMMIT.
          return run.wrote ? { ok: false, error, retry: null, commitUnknown: true } : { ok: false, error, retry: 'connection' };
        }
        return { ok: false, error, retry: retryReason(error) };
      }
      ended = true;
      return { ok: true, value };
    } finally {
      run.finished = true;
      if (!broken && !ended && run.begun) {
        this.work.add('round_trips');
        await client.query('ROLLBACK').catch((err: Error) => {
          broken = err;
        });
      }
      if (!broken && retryReason(run.failure) === 'stale-statement') broken = run.failure as Error;
      client.release(broken);
      // Released (destroyed when broken): a late error of its socket must still find a listener.
      if (!broken) client.off('error', onError);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * The aggregates' ops for one pooled client, built on its first transaction and kept with it (a
   * client runs one attempt at a time): building the ~200 functions on every attempt was a tenth of
   * the node's CPU. `run` is the attempt in progress; a StoreTx kept past its callback finds the
   * finished one there and fails.
   */
  private opsOf(client: pg.PoolClient): ClientOps {
    let bound = clientOps.get(client);
    if (!bound) clientOps.set(client, (bound = new ClientOps()));
    return bound;
  }
}

/** One pooled client's ops, and the attempt they run in now. */
class ClientOps {
  run: TxRun | undefined;
  readonly ops = buildOps({
    query: (text, values) => this.run!.query(text, values),
    queryAll: (statements) => this.run!.queryAll(statements),
    queryLater: (text, values) => this.run!.queryLater(text, values),
    kept: () => this.run!.kept,
  });
}

const clientOps = new WeakMap<pg.PoolClient, ClientOps>();

/** The aggregates' ops (one file each), over `query`. */
function buildOps(attempt: AttemptQueries): StoreTx {
  const db = pgConnection(attempt);
  const { query } = attempt;
  // The dialect-specific aggregates (full-text search, reports) run their own texts.
  const rows = async (text: string, values: unknown[] = []) => (await query(text, values)).rows;
  return {
    ...pgDeployments(db),
    ...pgAccounts(db),
    ...pgQueues(db),
    ...pgSessions(db),
    ...pgLog(db),
    ...pgParticipants(db),
    ...pgInteractions(db),
    ...pgAgentProfiles(db),
    ...pgAgentConnections(db),
    ...pgDeskLists(db),
    ...pgSurveys(db),
    ...pgBusinessHours(db),
    ...pgFlowRuns(db),
    ...pgOperations(db),
    ...pgFiles(db),
    ...pgSettings(db),
    ...searchOps(rows),
    ...sqlContacts(db),
    ...reportOps(rows),
    ...sqlWebhooks(db, 'FOR UPDATE OF d SKIP LOCKED'),
    ...sqlAudit(db),
    ...sqlCustomerData(db),
    ...sqlStaffIdentities(db),
  };
}

/**
 * Applies pending migrations. A session-level advisory lock (per target schema) makes nodes that
 * start at once take turns: the first migrates, the others find everything applied.
 */
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection lost while migrating fails the start-up (the query rejects), not the process.
  client.on('error', (err) => {
    broken ??= err;
  });
  try {
    const target: string = schema ?? (await client.query('SELECT current_schema() AS s')).rows[0]?.s ?? '';
    const lockKey = `parley:migrate:${target}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`PostgreSQL migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch((err: Error) => {
        // Dropping the connection releases the lock too.
        broken = err;
      });
    }
  } finally {
    client.release(broken);
  }
}
