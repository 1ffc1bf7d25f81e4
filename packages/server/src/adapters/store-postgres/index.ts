import pg from 'pg';
import type { Message } from '@parley/protocol';
import { formatIndex, nextIndexNum } from '../../core/message-index.js';
import {
  StoreUnavailableError,
  type AgentProfile,
  type FlowRun,
  type Interaction,
  type MessageDraft,
  type MessageQuery,
  type Queue,
  type Store,
  type StoreTx,
  type StoredFile,
} from '../../ports/store.js';
import { migrations } from './migrations.js';
import { PostgresFileStore } from '../files-postgres.js';
import { staffIdentityOps } from './staff-identities.js';
import type { FileStore } from '../../ports/file-store.js';
import { setClause as setClauseWith, toAccount, toAgentConnection, toDeployment, toFile, toInteraction, toParticipant, toProfile, toQueue, toSession, type Row } from '../store-rows.js';

/** `col = $n, ...` with placeholders from `$first`. */
const setClause = (patch: Record<string, unknown>, first: number) => setClauseWith(patch, (i) => `$${first + i}`);

export interface PostgresStoreOptions {
  /**
   * Schema to keep Parley's tables in (created when missing); every pooled connection gets
   * `search_path` set to it. Without it, the connection's own search_path applies.
   */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
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

/** One attempt of a transaction on one pooled client. */
class TxRun {
  /** The first statement that failed: PostgreSQL ignores everything after it until ROLLBACK. */
  failure: unknown = undefined;
  finished = false;
  /** A statement that changes data ran: a COMMIT lost on the wire may have stored it. */
  wrote = false;
  constructor(private readonly client: pg.PoolClient) {}

  async query(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    if (this.finished) throw new Error('this transaction has already finished; StoreTx must not be used outside its tx callback');
    if (!READ_STATEMENT.test(text)) this.wrote = true;
    try {
      const name = statementName(text);
      return await this.client.query<Row>(name ? { name, text, values: values as any[] } : { text, values: values as any[] });
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
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

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresStoreOptions,
  ) {}

  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`schema name ${JSON.stringify(schema)} must be a plain identifier`);
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: typeParsers, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000 });
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

  async tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 8);
    const unavailableUntil = Date.now() + (this.options.unavailableRetryMs ?? 1_500);
    let duplicateRetried = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(fn);
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

  private async attempt<T>(fn: (tx: StoreTx) => Promise<T>): Promise<Outcome<T>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { ok: false, error, retry: isConnectionFailure(error) ? 'connection' : null };
    }
    const run = new TxRun(client);
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
      try {
        await client.query('BEGIN');
      } catch (error) {
        broken ??= error as Error;
        return { ok: false, error, retry: isConnectionFailure(error) || broken ? 'connection' : null };
      }
      let value: T;
      try {
        value = await fn(this.ops(run));
      } catch (error) {
        return failed(error, run.failure ?? error);
      }
      // A failed statement the callback swallowed: COMMIT would silently roll back.
      if (run.failure !== undefined) return failed(run.failure);
      try {
        await client.query('COMMIT');
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
      if (!broken && !ended) {
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

  private ops(run: TxRun): StoreTx {
    const rows = async (text: string, values?: unknown[]) => (await run.query(text, values)).rows;
    const one = async (text: string, values?: unknown[]) => (await run.query(text, values)).rows[0];
    const exec = async (text: string, values?: unknown[]) => {
      await run.query(text, values);
    };
    const lockClause = (forUpdate?: boolean) => (forUpdate ? ' FOR NO KEY UPDATE' : '');
    return {
      ...staffIdentityOps(rows),
      getDeployment: async (id) => {
        const r = await one('SELECT * FROM deployments WHERE id = $1', [id]);
        return r ? toDeployment(r) : null;
      },
      getDeploymentByApiKeyHash: async (hash, kind = 'public') => {
        const r = await one('SELECT d.* FROM deployments d JOIN api_keys k ON k.deployment_id = d.id WHERE k.key_hash = $1 AND k.kind = $2', [hash, kind]);
        return r ? toDeployment(r) : null;
      },
      insertDeployment: async (d) => {
        await exec('INSERT INTO deployments (id, name, allowed_origins, async_policy, default_queue, created_at, settings) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          d.id,
          d.name,
          JSON.stringify(d.allowedOrigins),
          JSON.stringify(d.asyncPolicy),
          d.defaultQueue,
          d.createdAt,
          JSON.stringify(d.settings ?? {}),
        ]);
      },
      addApiKey: async (deploymentId, keyHash, label, kind = 'public') => {
        await exec(
          `INSERT INTO api_keys (key_hash, deployment_id, label, kind) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key_hash) DO UPDATE SET deployment_id = EXCLUDED.deployment_id, label = EXCLUDED.label, kind = EXCLUDED.kind`,
          [keyHash, deploymentId, label, kind],
        );
      },
      listDeployments: async () => (await rows('SELECT * FROM deployments ORDER BY created_at, row_seq')).map(toDeployment),

      insertSession: async (s) => {
        await exec(
          `INSERT INTO sessions (id, deployment_id, async, state, customer_participant_id, transport_id, user_data, created_at, ended_at, last_index_num,
             last_customer_at, last_activity_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [s.id, s.deploymentId, s.async, s.state, s.customerParticipantId, s.transportId, JSON.stringify(s.userData), s.createdAt, s.endedAt, s.lastIndexNum, s.lastCustomerAt, s.lastActivityAt],
        );
      },
      getSession: async (id, forUpdate) => {
        const r = await one(`SELECT * FROM sessions WHERE id = $1${lockClause(forUpdate)}`, [id]);
        return r ? toSession(r) : null;
      },
      updateSession: async (id, patch) => {
        const { sql, values } = setClause(patch, 2);
        if (sql) await exec(`UPDATE sessions SET ${sql} WHERE id = $1`, [id, ...values]);
      },

      insertParticipant: async (p) => {
        await exec(
          `INSERT INTO participants (id, session_id, type, nickname, account_id, state, joined_at, left_at, cursor_num)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [p.id, p.sessionId, p.type, p.nickname, p.accountId, p.state, p.joinedAt, p.leftAt, p.cursorNum],
        );
      },
      getParticipant: async (id, forUpdate) => {
        const r = await one(`SELECT * FROM participants WHERE id = $1${forUpdate ? ' FOR NO KEY UPDATE' : ''}`, [id]);
        return r ? toParticipant(r) : null;
      },
      listParticipants: async (sessionId) => (await rows('SELECT * FROM participants WHERE session_id = $1 ORDER BY joined_at, row_seq', [sessionId])).map(toParticipant),
      updateParticipant: async (id, patch) => {
        const { sql, values } = setClause(patch, 2);
        if (sql) await exec(`UPDATE participants SET ${sql} WHERE id = $1`, [id, ...values]);
      },

      appendMessage: async (sessionId: string, draft: MessageDraft, nowMs: number): Promise<Message> => {
        // The session row lock orders appends across transactions and nodes. NO KEY UPDATE (what an
        // UPDATE of a non-key column takes) does not conflict with the KEY SHARE locks that inserting
        // participants or messages of the session takes, so those cannot deadlock against it.
        const s = await one('SELECT last_index_num FROM sessions WHERE id = $1 FOR NO KEY UPDATE', [sessionId]);
        if (!s) throw new Error(`no session ${sessionId}`);
        const num = nextIndexNum(s.last_index_num, nowMs);
        const message: Message = { ...draft, sessionId, index: formatIndex(num), utcTime: draft.utcTime ?? new Date(nowMs).toISOString() };
        // Idle control: any message is activity; a customer's Text also restarts the customer's clock.
        const fromCustomer = message.from.type === 'Customer' && message.type === 'Text';
        await exec(
          `WITH bump AS (
             UPDATE sessions SET last_index_num = $2, last_activity_at = $6, last_customer_at = CASE WHEN $7::boolean THEN $6 ELSE last_customer_at END
             WHERE id = $1)
           INSERT INTO messages (session_id, index_num, visibility, audience, body) VALUES ($1, $2, $3, $4, $5)`,
          [sessionId, num, message.visibility, message.audienceAccountId ?? null, JSON.stringify(message), message.utcTime, fromCustomer],
        );
        return message;
      },
      listMessages: async (sessionId: string, mq: MessageQuery) => {
        const where = ['session_id = $1'];
        const values: unknown[] = [sessionId];
        if (mq.afterNum !== undefined) {
          values.push(mq.afterNum);
          where.push(`index_num > $${values.length}`);
        }
        if (mq.beforeNum !== undefined) {
          values.push(mq.beforeNum);
          where.push(`index_num < $${values.length}`);
        }
        values.push(mq.visibilities);
        const vis = `visibility = ANY($${values.length}::text[])`;
        if (mq.audienceAccountId) {
          // A supervisor's whisper is visible to the agent it is addressed to.
          values.push(mq.audienceAccountId);
          where.push(`(${vis} OR (visibility = 'Vip' AND audience = $${values.length}))`);
        } else where.push(vis);
        // SQLite reads a negative LIMIT as "no limit"; PostgreSQL reads NULL that way.
        values.push(mq.limit < 0 ? null : mq.limit);
        const order = mq.newest ? 'DESC' : 'ASC';
        const found = await rows(`SELECT body FROM messages WHERE ${where.join(' AND ')} ORDER BY index_num ${order} LIMIT $${values.length}`, values);
        const list = found.map((r) => JSON.parse(r.body) as Message);
        return mq.newest ? list.reverse() : list;
      },

      insertInteraction: async (i: Interaction) => {
        // `seq` is MAX + 1 within the session: the session row lock keeps two writers from taking the same one.
        await exec('SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE', [i.sessionId]);
        await exec(
          `INSERT INTO interactions (id, session_id, deployment_id, state, queue, priority, agent_account_id, wrap_up_code, created_at, updated_at, completed_at,
             skills, language, queued_at, handled_at, offer_expires_at, declined_by, preferred_agent_id, preferred_until, seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
             (SELECT COALESCE(MAX(seq), 0) + 1 FROM interactions WHERE session_id = $2))`,
          [
            i.id,
            i.sessionId,
            i.deploymentId,
            i.state,
            i.queue,
            i.priority,
            i.agentAccountId,
            i.wrapUpCode,
            i.createdAt,
            i.updatedAt,
            i.completedAt,
            JSON.stringify(i.skills),
            i.language,
            i.queuedAt,
            i.handledAt,
            i.offerExpiresAt,
            JSON.stringify(i.declinedBy),
            i.preferredAgentId,
            i.preferredUntil,
          ],
        );
      },
      getInteraction: async (id, forUpdate) => {
        const r = await one(`SELECT * FROM interactions WHERE id = $1${lockClause(forUpdate)}`, [id]);
        return r ? toInteraction(r) : null;
      },
      latestInteraction: async (sessionId) => {
        const r = await one('SELECT * FROM interactions WHERE session_id = $1 ORDER BY seq DESC LIMIT 1', [sessionId]);
        return r ? toInteraction(r) : null;
      },
      listInteractions: async (filter) => {
        const where: string[] = [];
        const values: unknown[] = [];
        if (filter.states?.length) {
          values.push(filter.states);
          where.push(`state = ANY($${values.length}::text[])`);
        }
        if (filter.agentAccountId) {
          values.push(filter.agentAccountId);
          where.push(`agent_account_id = $${values.length}`);
        }
        for (const [key, column] of [
          ['sessionId', 'session_id'],
          ['queue', 'queue'],
          ['deploymentId', 'deployment_id'],
        ] as const) {
          if (filter[key]) {
            values.push(filter[key]);
            where.push(`${column} = $${values.length}`);
          }
        }
        if (filter.recentlyHandled) where.push('handled_at IS NOT NULL');
        if (filter.recentlyHandled) values.push(Math.min(1000, Math.max(1, Math.floor(filter.recentlyHandled))));
        const order = filter.recentlyHandled ? `handled_at DESC LIMIT $${values.length}` : 'created_at, seq, row_seq LIMIT 1000';
        const sql = `SELECT * FROM interactions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}`;
        return (await rows(sql, values)).map(toInteraction);
      },
      updateInteraction: async (id, expected, patch) => {
        const { sql, values } = setClause(patch, 3);
        // At READ COMMITTED a writer that waited for the row re-checks `state` against the committed
        // version, so of several racing writers exactly one matches.
        const res = await run.query(`UPDATE interactions SET ${sql || 'state = state'} WHERE id = $1 AND state = $2`, [id, expected, ...values]);
        return res.rowCount === 1;
      },

      insertAccount: async (a) => {
        await exec('INSERT INTO accounts (id, username, display_name, password_hash, role, created_at, token_generation, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          a.id,
          a.username,
          a.displayName,
          a.passwordHash,
          a.role,
          a.createdAt,
          a.tokenGeneration,
          a.disabled ? 1 : 0,
        ]);
      },
      getAccount: async (id) => {
        const r = await one('SELECT * FROM accounts WHERE id = $1', [id]);
        return r ? toAccount(r) : null;
      },
      getAccountByUsername: async (username) => {
        const r = await one('SELECT * FROM accounts WHERE username = $1', [username]);
        return r ? toAccount(r) : null;
      },
      updateAccountPassword: async (id, hash) => {
        await exec('UPDATE accounts SET password_hash = $2 WHERE id = $1', [id, hash]);
      },

      getOperation: async (scope, operationId) => {
        const r = await one('SELECT result FROM operations WHERE scope = $1 AND operation_id = $2', [scope, operationId]);
        return r ? JSON.parse(r.result) : null;
      },
      putOperation: async (scope, operationId, result, nowIso) => {
        await exec('INSERT INTO operations (scope, operation_id, result, created_at) VALUES ($1, $2, $3, $4)', [scope, operationId, JSON.stringify(result ?? null), nowIso]);
      },

      insertFile: async (f: StoredFile) => {
        await exec('INSERT INTO files (id, session_id, name, mime, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [f.id, f.sessionId, f.name, f.mime, f.size, f.createdAt]);
      },
      getFile: async (id) => {
        const r = await one('SELECT * FROM files WHERE id = $1', [id]);
        return r ? toFile(r) : null;
      },

      agentLoads: async () => {
        const found = await rows(
          `SELECT agent_account_id AS a, COUNT(*) AS n FROM interactions
           WHERE state IN ('Offered', 'Handling', 'Finalizing') AND agent_account_id IS NOT NULL GROUP BY agent_account_id`,
        );
        return Object.fromEntries(found.map((r) => [r.a, r.n]));
      },

      // ORDER BY ... COLLATE "C": byte order, as SQLite sorts text, whatever the database collation.
      listQueues: async (deploymentId) =>
        (deploymentId
          ? await rows('SELECT * FROM queues WHERE deployment_id = $1 ORDER BY name COLLATE "C"', [deploymentId])
          : await rows('SELECT * FROM queues ORDER BY deployment_id COLLATE "C", name COLLATE "C"')
        ).map(toQueue),
      getQueue: async (deploymentId, name) => {
        const r = await one('SELECT * FROM queues WHERE deployment_id = $1 AND name = $2', [deploymentId, name]);
        return r ? toQueue(r) : null;
      },
      upsertQueue: async (qu: Queue) => {
        await exec(
          `INSERT INTO queues (id, deployment_id, name, skills, language, offer_timeout_seconds, sticky_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, skills = EXCLUDED.skills, language = EXCLUDED.language,
             offer_timeout_seconds = EXCLUDED.offer_timeout_seconds, sticky_seconds = EXCLUDED.sticky_seconds`,
          [qu.id, qu.deploymentId, qu.name, JSON.stringify(qu.skills), qu.language, qu.offerTimeoutSeconds, qu.stickySeconds],
        );
      },
      deleteQueue: async (id) => (await run.query('DELETE FROM queues WHERE id = $1', [id])).rowCount === 1,

      getProfile: async (accountId) => {
        const r = await one('SELECT * FROM agent_profiles WHERE account_id = $1', [accountId]);
        return r ? toProfile(r) : null;
      },
      // Locked in one order (account id), so routers on several nodes queue up instead of deadlocking.
      listProfiles: async (forUpdate) => (await rows(`SELECT * FROM agent_profiles ORDER BY account_id COLLATE "C"${lockClause(forUpdate)}`)).map(toProfile),
      upsertProfile: async (p: AgentProfile) => {
        await exec(
          `INSERT INTO agent_profiles (account_id, presence, reason, capacity, skills, languages, queues, idle_since, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (account_id) DO UPDATE SET presence = EXCLUDED.presence, reason = EXCLUDED.reason, capacity = EXCLUDED.capacity, skills = EXCLUDED.skills,
             languages = EXCLUDED.languages, queues = EXCLUDED.queues, idle_since = EXCLUDED.idle_since, updated_at = EXCLUDED.updated_at`,
          [p.accountId, p.presence, p.reason, p.capacity, JSON.stringify(p.skills), JSON.stringify(p.languages), JSON.stringify(p.queues), p.idleSince, p.updatedAt],
        );
      },

      putAgentConnection: async (c) => {
        await exec(
          `INSERT INTO agent_connections (id, account_id, node_id, seen_at, closed_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, node_id = EXCLUDED.node_id, seen_at = EXCLUDED.seen_at, closed_at = EXCLUDED.closed_at`,
          [c.id, c.accountId, c.nodeId, c.seenAt, c.closedAt],
        );
      },
      closeAgentConnection: async (id, at) => {
        await exec('UPDATE agent_connections SET seen_at = $2, closed_at = $2 WHERE id = $1', [id, at]);
      },
      refreshAgentConnections: async (nodeId, at) => (await run.query('UPDATE agent_connections SET seen_at = $2 WHERE node_id = $1 AND closed_at IS NULL', [nodeId, at])).rowCount ?? 0,
      listAgentConnections: async (accountId) => (await rows('SELECT * FROM agent_connections WHERE account_id = $1 ORDER BY seen_at, id COLLATE "C"', [accountId])).map(toAgentConnection),
      listAbsentAgents: async (before) =>
        (await rows('SELECT account_id, max(seen_at) AS last_seen_at FROM agent_connections GROUP BY account_id HAVING max(seen_at) <= $1 ORDER BY account_id COLLATE "C"', [before])).map((r) => ({
          accountId: r.account_id,
          lastSeenAt: r.last_seen_at,
        })),
      deleteAgentConnections: async (accountId, upTo) => (await run.query('DELETE FROM agent_connections WHERE account_id = $1 AND seen_at <= $2', [accountId, upTo])).rowCount ?? 0,

      listAccounts: async () => (await rows('SELECT * FROM accounts ORDER BY username COLLATE "C"')).map(toAccount),
      updateAccount: async (id, patch) => {
        const { sql, values } = setClause(patch, 2);
        if (sql) await exec(`UPDATE accounts SET ${sql} WHERE id = $1`, [id, ...values]);
      },
      updateDeployment: async (d) => {
        await exec('UPDATE deployments SET name = $2, allowed_origins = $3, async_policy = $4, default_queue = $5, settings = $6 WHERE id = $1', [
          d.id,
          d.name,
          JSON.stringify(d.allowedOrigins),
          JSON.stringify(d.asyncPolicy),
          d.defaultQueue,
          JSON.stringify(d.settings ?? {}),
        ]);
      },
      listApiKeys: async (deploymentId) =>
        (await rows('SELECT key_hash, label, kind FROM api_keys WHERE deployment_id = $1 ORDER BY label COLLATE "C"', [deploymentId])).map((r) => ({
          keyHash: r.key_hash,
          label: r.label,
          kind: r.kind,
        })),
      deleteApiKey: async (deploymentId, prefix) =>
        ((await run.query('DELETE FROM api_keys WHERE deployment_id = $1 AND left(key_hash, length($2)) = $2 AND length($2) >= 12', [deploymentId, prefix])).rowCount ?? 0) > 0,

      listCannedResponses: async () => (await rows('SELECT id, title, text FROM canned_responses ORDER BY title COLLATE "C"')).map((r) => ({ id: r.id, title: r.title, text: r.text })),
      insertCannedResponse: async (c) => {
        await exec('INSERT INTO canned_responses (id, title, text) VALUES ($1, $2, $3)', [c.id, c.title, c.text]);
      },
      deleteCannedResponse: async (id) => (await run.query('DELETE FROM canned_responses WHERE id = $1', [id])).rowCount === 1,
      listWrapUpCodes: async () => (await rows('SELECT code, label FROM wrap_up_codes ORDER BY code COLLATE "C"')).map((r) => ({ code: r.code, label: r.label })),
      upsertWrapUpCode: async (c) => {
        await exec('INSERT INTO wrap_up_codes (code, label) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label', [c.code, c.label]);
      },
      deleteWrapUpCode: async (code) => (await run.query('DELETE FROM wrap_up_codes WHERE code = $1', [code])).rowCount === 1,

      getFlowRun: async (sessionId) => {
        const r = await one('SELECT * FROM flow_runs WHERE session_id = $1', [sessionId]);
        return r
          ? { sessionId: r.session_id, interactionId: r.interaction_id, step: r.step, waiting: r.waiting, vars: JSON.parse(r.vars), lastIndexNum: r.last_index_num, updatedAt: r.updated_at }
          : null;
      },
      putFlowRun: async (fr: FlowRun) => {
        await exec(
          `INSERT INTO flow_runs (session_id, interaction_id, step, waiting, vars, last_index_num, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (session_id) DO UPDATE SET interaction_id = EXCLUDED.interaction_id, step = EXCLUDED.step, waiting = EXCLUDED.waiting,
             vars = EXCLUDED.vars, last_index_num = EXCLUDED.last_index_num, updated_at = EXCLUDED.updated_at`,
          [fr.sessionId, fr.interactionId, fr.step, fr.waiting, JSON.stringify(fr.vars), fr.lastIndexNum, fr.updatedAt],
        );
      },
      deleteFlowRun: async (sessionId) => {
        await exec('DELETE FROM flow_runs WHERE session_id = $1', [sessionId]);
      },
      listSessionsCustomerSilentSince: async (before, limit) =>
        (await rows("SELECT * FROM sessions WHERE state = 'Active' AND last_customer_at < $1 ORDER BY last_customer_at LIMIT $2", [before, limit < 0 ? null : limit])).map(toSession),
      listSessionsInactiveSince: async (before, limit) =>
        (await rows("SELECT * FROM sessions WHERE state = 'Active' AND last_activity_at < $1 ORDER BY last_activity_at LIMIT $2", [before, limit < 0 ? null : limit])).map(toSession),

      listActiveSessions: async (limit) => (await rows("SELECT * FROM sessions WHERE state = 'Active' ORDER BY created_at DESC LIMIT $1", [limit < 0 ? null : limit])).map(toSession),
      listSessionsOfAccount: async (accountId, limit) =>
        (
          await rows(
            `SELECT * FROM sessions WHERE id IN (SELECT session_id FROM participants WHERE account_id = $1 UNION SELECT session_id FROM interactions WHERE agent_account_id = $1)
             ORDER BY created_at DESC LIMIT $2`,
            [accountId, limit < 0 ? null : limit],
          )
        ).map(toSession),

      getSetting: async (key) => (await one('SELECT value FROM settings WHERE key = $1', [key]))?.value ?? null,
      putSetting: async (key, value) => {
        await exec('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
      },
    };
  }
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
