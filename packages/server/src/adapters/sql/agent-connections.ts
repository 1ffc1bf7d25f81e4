import type { AgentConnection } from '../../ports/store.js';
import { statement } from './dialect.js';

export const agentConnectionSql = {
  put: (c: AgentConnection) =>
    statement(
      `INSERT INTO agent_connections (id, account_id, node_id, seen_at, closed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, node_id = excluded.node_id, seen_at = excluded.seen_at, closed_at = excluded.closed_at`,
      c.id,
      c.accountId,
      c.nodeId,
      c.seenAt,
      c.closedAt,
    ),
  close: (id: string, atIso: string) => statement('UPDATE agent_connections SET seen_at = ?, closed_at = ? WHERE id = ?', atIso, atIso, id),
  refresh: (nodeId: string, atIso: string) => statement('UPDATE agent_connections SET seen_at = ? WHERE node_id = ? AND closed_at IS NULL', atIso, nodeId),
  ofAccount: (accountId: string) => statement('SELECT * FROM agent_connections WHERE account_id = ? ORDER BY seen_at, id COLLATE BINARY', accountId),
  absent: (beforeIso: string) =>
    statement('SELECT account_id, max(seen_at) AS last_seen_at FROM agent_connections GROUP BY account_id HAVING max(seen_at) <= ? ORDER BY account_id COLLATE BINARY', beforeIso),
  delete: (accountId: string, upToIso: string) => statement('DELETE FROM agent_connections WHERE account_id = ? AND seen_at <= ?', accountId, upToIso),
};
