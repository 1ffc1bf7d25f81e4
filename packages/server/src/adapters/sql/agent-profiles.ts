import type { AgentProfile } from '../../ports/store.js';
import { lockedIf, statement } from './dialect.js';

export const agentProfileSql = {
  get: (accountId: string) => statement('SELECT * FROM agent_profiles WHERE account_id = ?', accountId),
  // Locked in one order (account id), so routers on several nodes queue up instead of deadlocking.
  list: (forUpdate?: boolean) => statement(lockedIf('SELECT * FROM agent_profiles ORDER BY account_id COLLATE BINARY', forUpdate)),
  upsert: (p: AgentProfile) =>
    statement(
      `INSERT INTO agent_profiles (account_id, presence, reason, capacity, skills, languages, queues, idle_since, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET presence = excluded.presence, reason = excluded.reason, capacity = excluded.capacity, skills = excluded.skills,
         languages = excluded.languages, queues = excluded.queues, idle_since = excluded.idle_since, updated_at = excluded.updated_at`,
      p.accountId,
      p.presence,
      p.reason,
      p.capacity,
      JSON.stringify(p.skills),
      JSON.stringify(p.languages),
      JSON.stringify(p.queues),
      p.idleSince,
      p.updatedAt,
    ),
};
