import type { SearchStore } from '../../ports/store/search.js';
import type { Row } from '../store-rows.js';

type Query = (text: string, values?: unknown[]) => Promise<Row[]>;

/**
 * The filters of a search as one statement text (a NULL parameter switches its condition off), so the
 * search is one prepared statement whatever is set. $1: tsquery, $2: visibilities, $3: account,
 * $4/$5: created from/before, $6: queue, $7: agent, $8: wrap-up code, $9: customer words.
 */
const WHERE = `($1::text IS NULL OR s.id IN (SELECT m.session_id FROM search_messages m WHERE m.words_tsv @@ to_tsquery('simple', $1) AND m.visibility = ANY($2::text[])))
  AND ($3::text IS NULL OR s.id IN (SELECT session_id FROM participants WHERE account_id = $3 UNION SELECT session_id FROM interactions WHERE agent_account_id = $3))
  AND ($4::text IS NULL OR s.created_at >= $4)
  AND ($5::text IS NULL OR s.created_at < $5)
  AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM interactions i WHERE i.session_id = s.id AND i.queue = $6))
  AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM interactions i WHERE i.session_id = s.id AND i.agent_account_id = $7))
  AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM interactions i WHERE i.session_id = s.id AND i.wrap_up_code = $8))
  AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM search_sessions c WHERE c.session_id = s.id AND (' ' || c.customer) LIKE '% ' || $9 || '%'))`;

/** The conversation search on PostgreSQL: message words (stored with the message's insert, log.ts) with a generated tsvector ('simple' configuration) under a GIN index. */
export function searchOps(rows: Query): SearchStore {
  return {
    indexSessionCustomer: async (sessionId, words) => {
      await rows('INSERT INTO search_sessions (session_id, customer) VALUES ($1, $2) ON CONFLICT (session_id) DO UPDATE SET customer = excluded.customer', [sessionId, words]);
    },
    searchSessions: async (f) => {
      // Words hold letters and digits only (core normalizes them): each is a prefix query, all ANDed.
      const query = f.words.length ? f.words.map((w) => `${w}:*`).join(' & ') : null;
      const values = [
        query,
        f.visibilities,
        f.involvingAccountId ?? null,
        f.createdFrom ?? null,
        f.createdBefore ?? null,
        f.queue ?? null,
        f.agentAccountId ?? null,
        f.wrapUpCode ?? null,
        f.customer ?? null,
      ];
      const [count] = await rows(`SELECT COUNT(*)::int AS n FROM sessions s WHERE ${WHERE}`, values);
      const ids = await rows(`SELECT s.id FROM sessions s WHERE ${WHERE} ORDER BY s.created_at COLLATE "C" DESC, s.id COLLATE "C" DESC LIMIT $10 OFFSET $11`, [...values, f.limit, f.offset]);
      return { sessionIds: ids.map((r) => r.id as string), total: Number(count?.n ?? 0) };
    },
  };
}
