import type { AgentConnectionStore } from '../../ports/store.js';
import { agentConnectionSql as sql } from '../sql/agent-connections.js';
import { toAgentConnection } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgAgentConnections = (db: PgConnection): AgentConnectionStore => ({
  putAgentConnection: async (c) => {
    await db.run(sql.put(c));
  },
  closeAgentConnection: async (id, atIso) => {
    await db.run(sql.close(id, atIso));
  },
  refreshAgentConnections: async (nodeId, atIso) => await db.run(sql.refresh(nodeId, atIso)),
  listAgentConnections: async (accountId) => (await db.rows(sql.ofAccount(accountId))).map(toAgentConnection),
  listAbsentAgents: async (beforeIso) => (await db.rows(sql.absent(beforeIso))).map((r) => ({ accountId: r.account_id, lastSeenAt: r.last_seen_at })),
  deleteAgentConnections: async (accountId, upToIso) => await db.run(sql.delete(accountId, upToIso)),
});
