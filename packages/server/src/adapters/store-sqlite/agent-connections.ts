import type { AgentConnectionStore } from '../../ports/store.js';
import { agentConnectionSql as sql } from '../sql/agent-connections.js';
import { toAgentConnection } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteAgentConnections = (db: SqliteConnection): AgentConnectionStore => ({
  putAgentConnection: async (c) => void db.run(sql.put(c)),
  closeAgentConnection: async (id, atIso) => void db.run(sql.close(id, atIso)),
  refreshAgentConnections: async (nodeId, atIso) => db.run(sql.refresh(nodeId, atIso)),
  listAgentConnections: async (accountId) => db.all(sql.ofAccount(accountId)).map(toAgentConnection),
  listAbsentAgents: async (beforeIso) => db.all(sql.absent(beforeIso)).map((r) => ({ accountId: r.account_id, lastSeenAt: r.last_seen_at })),
  deleteAgentConnections: async (accountId, upToIso) => db.run(sql.delete(accountId, upToIso)),
});
