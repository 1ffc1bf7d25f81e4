/**
 * The statements of the customer-data aggregate, the same in both SQL dialects but for the
 * placeholders (`?` or `$n`, made by `p(n)`), in the order a session's rows must go (children first).
 */
export function sessionDeletes(p: (n: number) => string): string[] {
  return [
    `DELETE FROM webhook_deliveries WHERE ordering_key = ${p(1)}`,
    // Idempotency records name the session in their scope (send:<id>, …) or hold it in their result (start:<deployment>).
    `DELETE FROM operations WHERE scope LIKE '%' || ${p(1)} || '%' OR result LIKE '%' || ${p(1)} || '%'`,
    `DELETE FROM flow_runs WHERE session_id = ${p(1)}`,
    `DELETE FROM files WHERE session_id = ${p(1)}`,
    // The search index and the contact (with its keys and notes) once no other session is theirs.
    `DELETE FROM surveys WHERE session_id = ${p(1)}`,
    `DELETE FROM search_messages WHERE session_id = ${p(1)}`,
    `DELETE FROM search_sessions WHERE session_id = ${p(1)}`,
    `DELETE FROM contact_notes WHERE contact_id IN (SELECT contact_id FROM contact_sessions WHERE session_id = ${p(1)}) AND contact_id NOT IN (SELECT contact_id FROM contact_sessions WHERE session_id <> ${p(1)})`,
    `DELETE FROM contact_keys WHERE contact_id IN (SELECT contact_id FROM contact_sessions WHERE session_id = ${p(1)}) AND contact_id NOT IN (SELECT contact_id FROM contact_sessions WHERE session_id <> ${p(1)})`,
    `DELETE FROM contact_sessions WHERE session_id = ${p(1)}`,
    `DELETE FROM contacts WHERE id NOT IN (SELECT contact_id FROM contact_sessions)`,
  ];
}
export const sessionOnlyDeletes = (p: (n: number) => string): string[] => [
  `DELETE FROM interaction_state_changes WHERE session_id = ${p(1)}`,
  `DELETE FROM messages WHERE session_id = ${p(1)}`,
  `DELETE FROM participants WHERE session_id = ${p(1)}`,
  `DELETE FROM interactions WHERE session_id = ${p(1)}`,
  `DELETE FROM sessions WHERE id = ${p(1)}`,
];
/** LIKE pattern for a value inside the JSON text of user data (its JSON-escaped form, wildcards escaped). */
export function userDataPattern(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return `%${escaped.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
