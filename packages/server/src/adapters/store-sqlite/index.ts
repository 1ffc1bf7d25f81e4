import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Message } from '@parley/protocol';
import { formatIndex, nextIndexNum } from '../../core/message-index.js';
import type { AgentProfile, Interaction, MessageDraft, MessageQuery, Queue, Store, StoreTx, StoredFile } from '../../ports/store.js';
import { migrations } from './migrations.js';
import { setClause, toAccount, toAgentConnection, toDeployment, toInteraction, toParticipant, toProfile, toQueue, toSession, type Row } from '../store-rows.js';
import { staffIdentityOps } from './staff-identities.js';

/** The embedded default store: one SQLite file in WAL mode; transactions run one at a time. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ops: StoreTx;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
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

  /**
   * better-sqlite3 is synchronous, but the port is async: transactions are queued so that the
   * awaits inside one never interleave with another's statements.
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.ops);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }

  private buildOps(): StoreTx {
    const raw = this.db;
    // Statements are compiled once per SQL text (patches and filters make a handful of variants).
    const cache = new Map<string, Database.Statement>();
    const db = {
      prepare: (sql: string): Database.Statement => {
        let st = cache.get(sql);
        if (!st) cache.set(sql, (st = raw.prepare(sql)));
        return st;
      },
    };
    const st = <P extends unknown[]>(sql: string) => {
      const s = db.prepare(sql);
      return s as unknown as { get: (...p: P) => Row | undefined; all: (...p: P) => Row[]; run: (...p: P) => Database.RunResult };
    };
    const q = {
      depById: st('SELECT * FROM deployments WHERE id = ?'),
      depByKey: st('SELECT d.* FROM deployments d JOIN api_keys k ON k.deployment_id = d.id WHERE k.key_hash = ? AND k.kind = ?'),
      insDep: st('INSERT INTO deployments (id, name, allowed_origins, async_policy, default_queue, created_at, settings) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insKey: st('INSERT OR REPLACE INTO api_keys (key_hash, deployment_id, label, kind) VALUES (?, ?, ?, ?)'),
      allDeps: st('SELECT * FROM deployments ORDER BY created_at'),
      insSession: st(
        'INSERT INTO sessions (id, deployment_id, async, state, customer_participant_id, transport_id, user_data, created_at, ended_at, last_index_num, last_customer_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      session: st('SELECT * FROM sessions WHERE id = ?'),
      setLastIndex: st('UPDATE sessions SET last_index_num = ?, last_activity_at = ?, last_customer_at = CASE WHEN ? THEN ? ELSE last_customer_at END WHERE id = ?'),
      insPart: st('INSERT INTO participants (id, session_id, type, nickname, account_id, state, joined_at, left_at, cursor_num) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      part: st('SELECT * FROM participants WHERE id = ?'),
      parts: st('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, rowid'),
      insMsg: st('INSERT INTO messages (session_id, index_num, visibility, audience, body) VALUES (?, ?, ?, ?, ?)'),
      insInt: st(
        `INSERT INTO interactions (id, session_id, deployment_id, state, queue, priority, agent_account_id, wrap_up_code, created_at, updated_at, completed_at,
           skills, language, queued_at, handled_at, offer_expires_at, declined_by, preferred_agent_id, preferred_until, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM interactions WHERE session_id = ?))`,
      ),
      int: st('SELECT * FROM interactions WHERE id = ?'),
      latestInt: st('SELECT * FROM interactions WHERE session_id = ? ORDER BY seq DESC LIMIT 1'),
      insAcc: st('INSERT INTO accounts (id, username, display_name, password_hash, role, created_at, token_generation, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      acc: st('SELECT * FROM accounts WHERE id = ?'),
      accByName: st('SELECT * FROM accounts WHERE username = ?'),
      accPw: st('UPDATE accounts SET password_hash = ? WHERE id = ?'),
      op: st('SELECT result FROM operations WHERE scope = ? AND operation_id = ?'),
      insOp: st('INSERT INTO operations (scope, operation_id, result, created_at) VALUES (?, ?, ?, ?)'),
      insFile: st('INSERT INTO files (id, session_id, name, mime, size, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      file: st('SELECT * FROM files WHERE id = ?'),
      setting: st('SELECT value FROM settings WHERE key = ?'),
      putSetting: st('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
    return {
      ...staffIdentityOps(db.prepare),
      getDeployment: async (id) => {
        const r = q.depById.get(id);
        return r ? toDeployment(r) : null;
      },
      getDeploymentByApiKeyHash: async (hash, kind = 'public') => {
        const r = q.depByKey.get(hash, kind);
        return r ? toDeployment(r) : null;
      },
      insertDeployment: async (d) => {
        q.insDep.run(d.id, d.name, JSON.stringify(d.allowedOrigins), JSON.stringify(d.asyncPolicy), d.defaultQueue, d.createdAt, JSON.stringify(d.settings ?? {}));
      },
      addApiKey: async (deploymentId, keyHash, label, kind = 'public') => {
        q.insKey.run(keyHash, deploymentId, label, kind);
      },
      listDeployments: async () => q.allDeps.all().map(toDeployment),
      insertSession: async (s) => {
        q.insSession.run(
          s.id,
          s.deploymentId,
          s.async ? 1 : 0,
          s.state,
          s.customerParticipantId,
          s.transportId,
          JSON.stringify(s.userData),
          s.createdAt,
          s.endedAt,
          s.lastIndexNum,
          s.lastCustomerAt,
          s.lastActivityAt,
        );
      },
      getSession: async (id) => {
        const r = q.session.get(id);
        return r ? toSession(r) : null;
      },
      updateSession: async (id, patch) => {
        const { sql, values } = setClause(patch);
        if (sql) db.prepare(`UPDATE sessions SET ${sql} WHERE id = ?`).run(...values, id);
      },
      insertParticipant: async (p) => {
        q.insPart.run(p.id, p.sessionId, p.type, p.nickname, p.accountId, p.state, p.joinedAt, p.leftAt, p.cursorNum);
      },
      getParticipant: async (id) => {
        const r = q.part.get(id);
        return r ? toParticipant(r) : null;
      },
      listParticipants: async (sessionId) => q.parts.all(sessionId).map(toParticipant),
      updateParticipant: async (id, patch) => {
        const { sql, values } = setClause(patch);
        if (sql) db.prepare(`UPDATE participants SET ${sql} WHERE id = ?`).run(...values, id);
      },
      appendMessage: async (sessionId: string, draft: MessageDraft, nowMs: number): Promise<Message> => {
        const s = q.session.get(sessionId);
        if (!s) throw new Error(`no session ${sessionId}`);
        const num = nextIndexNum(s.last_index_num, nowMs);
        const message: Message = { ...draft, sessionId, index: formatIndex(num), utcTime: draft.utcTime ?? new Date(nowMs).toISOString() };
        const fromCustomer = message.from.type === 'Customer' && message.type === 'Text' ? 1 : 0;
        q.setLastIndex.run(num, message.utcTime, fromCustomer, message.utcTime, sessionId);
        q.insMsg.run(sessionId, num, message.visibility, message.audienceAccountId ?? null, JSON.stringify(message));
        return message;
      },
      listMessages: async (sessionId: string, mq: MessageQuery) => {
        const where = ['session_id = ?'];
        const values: unknown[] = [sessionId];
        if (mq.afterNum !== undefined) {
          where.push('index_num > ?');
          values.push(mq.afterNum);
        }
        if (mq.beforeNum !== undefined) {
          where.push('index_num < ?');
          values.push(mq.beforeNum);
        }
        const vis = `visibility IN (${mq.visibilities.map(() => '?').join(', ')})`;
        values.push(...mq.visibilities);
        if (mq.audienceAccountId) {
          where.push(`(${vis} OR (visibility = 'Vip' AND audience = ?))`);
          values.push(mq.audienceAccountId);
        } else where.push(vis);
        const order = mq.newest ? 'DESC' : 'ASC';
        const rows = db.prepare(`SELECT body FROM messages WHERE ${where.join(' AND ')} ORDER BY index_num ${order} LIMIT ?`).all(...values, mq.limit) as Row[];
        const list = rows.map((r) => JSON.parse(r.body) as Message);
        return mq.newest ? list.reverse() : list;
      },
      insertInteraction: async (i: Interaction) => {
        q.insInt.run(
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
          i.sessionId,
        );
      },
      getInteraction: async (id) => {
        const r = q.int.get(id);
        return r ? toInteraction(r) : null;
      },
      latestInteraction: async (sessionId) => {
        const r = q.latestInt.get(sessionId);
        return r ? toInteraction(r) : null;
      },
      listInteractions: async (filter) => {
        const where: string[] = [];
        const values: unknown[] = [];
        if (filter.states?.length) {
          where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
          values.push(...filter.states);
        }
        if (filter.agentAccountId) {
          where.push('agent_account_id = ?');
          values.push(filter.agentAccountId);
        }
        for (const [key, column] of [
          ['sessionId', 'session_id'],
          ['queue', 'queue'],
          ['deploymentId', 'deployment_id'],
        ] as const) {
          if (filter[key]) {
            where.push(`${column} = ?`);
            values.push(filter[key]);
          }
        }
        if (filter.recentlyHandled) where.push('handled_at IS NOT NULL');
        const order = filter.recentlyHandled ? `handled_at DESC LIMIT ${Math.min(1000, Math.max(1, Math.floor(filter.recentlyHandled)))}` : 'created_at, seq LIMIT 1000';
        const sql = `SELECT * FROM interactions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}`;
        return (db.prepare(sql).all(...values) as Row[]).map(toInteraction);
      },
      updateInteraction: async (id, expected, patch) => {
        const { sql, values } = setClause(patch);
        const res = db.prepare(`UPDATE interactions SET ${sql} WHERE id = ? AND state = ?`).run(...values, id, expected);
        return res.changes === 1;
      },
      insertAccount: async (a) => {
        q.insAcc.run(a.id, a.username, a.displayName, a.passwordHash, a.role, a.createdAt, a.tokenGeneration, a.disabled ? 1 : 0);
      },
      getAccount: async (id) => {
        const r = q.acc.get(id);
        return r ? toAccount(r) : null;
      },
      getAccountByUsername: async (u) => {
        const r = q.accByName.get(u);
        return r ? toAccount(r) : null;
      },
      updateAccountPassword: async (id, hash) => {
        q.accPw.run(hash, id);
      },
      getOperation: async (scope, opId) => {
        const r = q.op.get(scope, opId);
        return r ? JSON.parse(r.result) : null;
      },
      putOperation: async (scope, opId, result, nowIso) => {
        q.insOp.run(scope, opId, JSON.stringify(result ?? null), nowIso);
      },
      insertFile: async (f: StoredFile) => {
        q.insFile.run(f.id, f.sessionId, f.name, f.mime, f.size, f.createdAt);
      },
      getFile: async (id) => {
        const r = q.file.get(id);
        return r ? { id: r.id, sessionId: r.session_id, name: r.name, mime: r.mime, size: r.size, createdAt: r.created_at } : null;
      },
      agentLoads: async () => {
        const rows = db
          .prepare("SELECT agent_account_id AS a, COUNT(*) AS n FROM interactions WHERE state IN ('Offered', 'Handling', 'Finalizing') AND agent_account_id IS NOT NULL GROUP BY agent_account_id")
          .all() as Row[];
        return Object.fromEntries(rows.map((r) => [r.a, r.n]));
      },
      listQueues: async (deploymentId) =>
        (deploymentId ? db.prepare('SELECT * FROM queues WHERE deployment_id = ? ORDER BY name').all(deploymentId) : db.prepare('SELECT * FROM queues ORDER BY deployment_id, name').all()).map((r) =>
          toQueue(r as Row),
        ),
      getQueue: async (deploymentId, name) => {
        const r = db.prepare('SELECT * FROM queues WHERE deployment_id = ? AND name = ?').get(deploymentId, name) as Row | undefined;
        return r ? toQueue(r) : null;
      },
      upsertQueue: async (qu: Queue) => {
        db.prepare(
          `INSERT INTO queues (id, deployment_id, name, skills, language, offer_timeout_seconds, sticky_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, skills = excluded.skills, language = excluded.language,
             offer_timeout_seconds = excluded.offer_timeout_seconds, sticky_seconds = excluded.sticky_seconds`,
        ).run(qu.id, qu.deploymentId, qu.name, JSON.stringify(qu.skills), qu.language, qu.offerTimeoutSeconds, qu.stickySeconds);
      },
      deleteQueue: async (id) => db.prepare('DELETE FROM queues WHERE id = ?').run(id).changes === 1,
      getProfile: async (accountId) => {
        const r = db.prepare('SELECT * FROM agent_profiles WHERE account_id = ?').get(accountId) as Row | undefined;
        return r ? toProfile(r) : null;
      },
      listProfiles: async () => (db.prepare('SELECT * FROM agent_profiles ORDER BY account_id').all() as Row[]).map(toProfile),
      upsertProfile: async (p: AgentProfile) => {
        db.prepare(
          `INSERT INTO agent_profiles (account_id, presence, reason, capacity, skills, languages, queues, idle_since, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(account_id) DO UPDATE SET presence = excluded.presence, reason = excluded.reason, capacity = excluded.capacity, skills = excluded.skills,
             languages = excluded.languages, queues = excluded.queues, idle_since = excluded.idle_since, updated_at = excluded.updated_at`,
        ).run(p.accountId, p.presence, p.reason, p.capacity, JSON.stringify(p.skills), JSON.stringify(p.languages), JSON.stringify(p.queues), p.idleSince, p.updatedAt);
      },
      putAgentConnection: async (c) => {
        db.prepare(
          `INSERT INTO agent_connections (id, account_id, node_id, seen_at, closed_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, node_id = excluded.node_id, seen_at = excluded.seen_at, closed_at = excluded.closed_at`,
        ).run(c.id, c.accountId, c.nodeId, c.seenAt, c.closedAt);
      },
      closeAgentConnection: async (id, at) => {
        db.prepare('UPDATE agent_connections SET seen_at = ?, closed_at = ? WHERE id = ?').run(at, at, id);
      },
      refreshAgentConnections: async (nodeId, at) => db.prepare('UPDATE agent_connections SET seen_at = ? WHERE node_id = ? AND closed_at IS NULL').run(at, nodeId).changes,
      listAgentConnections: async (accountId) => (db.prepare('SELECT * FROM agent_connections WHERE account_id = ? ORDER BY seen_at, id').all(accountId) as Row[]).map(toAgentConnection),
      listAbsentAgents: async (before) =>
        (db.prepare('SELECT account_id, max(seen_at) AS last_seen_at FROM agent_connections GROUP BY account_id HAVING max(seen_at) <= ? ORDER BY account_id').all(before) as Row[]).map((r) => ({
          accountId: r.account_id,
          lastSeenAt: r.last_seen_at,
        })),
      deleteAgentConnections: async (accountId, upTo) => db.prepare('DELETE FROM agent_connections WHERE account_id = ? AND seen_at <= ?').run(accountId, upTo).changes,
      listAccounts: async () => (db.prepare('SELECT * FROM accounts ORDER BY username').all() as Row[]).map(toAccount),
      updateAccount: async (id, patch) => {
        const { sql, values } = setClause(patch);
        if (sql) db.prepare(`UPDATE accounts SET ${sql} WHERE id = ?`).run(...values, id);
      },
      updateDeployment: async (d) => {
        db.prepare('UPDATE deployments SET name = ?, allowed_origins = ?, async_policy = ?, default_queue = ?, settings = ? WHERE id = ?').run(
          d.name,
          JSON.stringify(d.allowedOrigins),
          JSON.stringify(d.asyncPolicy),
          d.defaultQueue,
          JSON.stringify(d.settings ?? {}),
          d.id,
        );
      },
      listApiKeys: async (deploymentId) =>
        (db.prepare('SELECT key_hash, label, kind FROM api_keys WHERE deployment_id = ? ORDER BY label').all(deploymentId) as Row[]).map((r) => ({
          keyHash: r.key_hash,
          label: r.label,
          kind: r.kind,
        })),
      deleteApiKey: async (deploymentId, prefix) =>
        db.prepare('DELETE FROM api_keys WHERE deployment_id = ? AND substr(key_hash, 1, length(?)) = ? AND length(?) >= 12').run(deploymentId, prefix, prefix, prefix).changes > 0,
      listCannedResponses: async () => db.prepare('SELECT id, title, text FROM canned_responses ORDER BY title').all() as any[],
      insertCannedResponse: async (c) => {
        db.prepare('INSERT INTO canned_responses (id, title, text) VALUES (?, ?, ?)').run(c.id, c.title, c.text);
      },
      deleteCannedResponse: async (id) => db.prepare('DELETE FROM canned_responses WHERE id = ?').run(id).changes === 1,
      listWrapUpCodes: async () => db.prepare('SELECT code, label FROM wrap_up_codes ORDER BY code').all() as any[],
      upsertWrapUpCode: async (c) => {
        db.prepare('INSERT INTO wrap_up_codes (code, label) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET label = excluded.label').run(c.code, c.label);
      },
      deleteWrapUpCode: async (code) => db.prepare('DELETE FROM wrap_up_codes WHERE code = ?').run(code).changes === 1,
      getFlowRun: async (sessionId) => {
        const r = db.prepare('SELECT * FROM flow_runs WHERE session_id = ?').get(sessionId) as Row | undefined;
        return r
          ? { sessionId: r.session_id, interactionId: r.interaction_id, step: r.step, waiting: r.waiting, vars: JSON.parse(r.vars), lastIndexNum: r.last_index_num, updatedAt: r.updated_at }
          : null;
      },
      putFlowRun: async (run) => {
        db.prepare(
          `INSERT INTO flow_runs (session_id, interaction_id, step, waiting, vars, last_index_num, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(session_id) DO UPDATE SET interaction_id = excluded.interaction_id, step = excluded.step, waiting = excluded.waiting,
             vars = excluded.vars, last_index_num = excluded.last_index_num, updated_at = excluded.updated_at`,
        ).run(run.sessionId, run.interactionId, run.step, run.waiting, JSON.stringify(run.vars), run.lastIndexNum, run.updatedAt);
      },
      deleteFlowRun: async (sessionId) => {
        db.prepare('DELETE FROM flow_runs WHERE session_id = ?').run(sessionId);
      },
      listSessionsCustomerSilentSince: async (before, limit) =>
        (db.prepare("SELECT * FROM sessions WHERE state = 'Active' AND last_customer_at < ? ORDER BY last_customer_at LIMIT ?").all(before, limit) as Row[]).map(toSession),
      listSessionsInactiveSince: async (before, limit) =>
        (db.prepare("SELECT * FROM sessions WHERE state = 'Active' AND last_activity_at < ? ORDER BY last_activity_at LIMIT ?").all(before, limit) as Row[]).map(toSession),
      listActiveSessions: async (limit) => (db.prepare("SELECT * FROM sessions WHERE state = 'Active' ORDER BY created_at DESC LIMIT ?").all(limit) as Row[]).map(toSession),
      listSessionsOfAccount: async (accountId, limit) =>
        (
          db
            .prepare(
              `SELECT * FROM sessions WHERE id IN (SELECT session_id FROM participants WHERE account_id = ? UNION SELECT session_id FROM interactions WHERE agent_account_id = ?)
               ORDER BY created_at DESC LIMIT ?`,
            )
            .all(accountId, accountId, limit) as Row[]
        ).map(toSession),
      getSetting: async (key) => q.setting.get(key)?.value ?? null,
      putSetting: async (key, value) => {
        q.putSetting.run(key, value);
      },
    };
  }
}
