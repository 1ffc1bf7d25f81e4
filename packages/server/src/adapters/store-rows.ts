import type {
  Account,
  AgentConnection,
  AgentProfile,
  ApiKey,
  CannedResponse,
  Deployment,
  FlowRun,
  Interaction,
  Participant,
  Queue,
  Session,
  StoredFile,
  WrapUpCode,
  Survey,
  SurveySummaryRow,
  BusinessHours,
} from '../ports/store.js';

/** Row <-> model mapping shared by the SQL store adapters (same tables, same columns). */
export type Row = Record<string, any>;

export const toDeployment = (r: Row): Deployment => ({
  id: r.id,
  name: r.name,
  allowedOrigins: JSON.parse(r.allowed_origins),
  asyncPolicy: JSON.parse(r.async_policy),
  defaultQueue: r.default_queue,
  createdAt: r.created_at,
  settings: JSON.parse(r.settings ?? '{}'),
});
export const toSession = (r: Row): Session => ({
  id: r.id,
  deploymentId: r.deployment_id,
  async: r.async === 1 || r.async === true,
  state: r.state,
  customerParticipantId: r.customer_participant_id,
  transportId: r.transport_id,
  userData: JSON.parse(r.user_data),
  createdAt: r.created_at,
  endedAt: r.ended_at,
  lastIndexNum: r.last_index_num,
  lastCustomerAt: r.last_customer_at,
  lastActivityAt: r.last_activity_at,
});
export const toParticipant = (r: Row): Participant => ({
  id: r.id,
  sessionId: r.session_id,
  type: r.type,
  nickname: r.nickname,
  accountId: r.account_id,
  state: r.state,
  joinedAt: r.joined_at,
  leftAt: r.left_at,
  cursorNum: r.cursor_num,
});
export const toInteraction = (r: Row): Interaction => ({
  id: r.id,
  sessionId: r.session_id,
  deploymentId: r.deployment_id,
  state: r.state,
  queue: r.queue,
  priority: r.priority,
  agentAccountId: r.agent_account_id,
  wrapUpCode: r.wrap_up_code,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
  skills: JSON.parse(r.skills),
  language: r.language,
  queuedAt: r.queued_at,
  handledAt: r.handled_at,
  offerExpiresAt: r.offer_expires_at,
  declinedBy: JSON.parse(r.declined_by),
  preferredAgentId: r.preferred_agent_id,
  preferredUntil: r.preferred_until,
});
export const toQueue = (r: Row): Queue => ({
  id: r.id,
  deploymentId: r.deployment_id,
  name: r.name,
  skills: JSON.parse(r.skills),
  language: r.language,
  offerTimeoutSeconds: r.offer_timeout_seconds,
  stickySeconds: r.sticky_seconds,
});
export const toProfile = (r: Row): AgentProfile => ({
  accountId: r.account_id,
  presence: r.presence,
  reason: r.reason,
  capacity: r.capacity,
  skills: JSON.parse(r.skills),
  languages: JSON.parse(r.languages),
  queues: JSON.parse(r.queues),
  idleSince: r.idle_since,
  updatedAt: r.updated_at,
});
export const toAgentConnection = (r: Row): AgentConnection => ({
  id: r.id,
  accountId: r.account_id,
  nodeId: r.node_id,
  seenAt: r.seen_at,
  closedAt: r.closed_at,
});
export const toAccount = (r: Row): Account => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role,
  createdAt: r.created_at,
  tokenGeneration: Number(r.token_generation ?? 0),
  disabled: Number(r.disabled ?? 0) === 1,
});

const COLUMN: Record<string, string> = {
  state: 'state',
  endedAt: 'ended_at',
  userData: 'user_data',
  leftAt: 'left_at',
  cursorNum: 'cursor_num',
  agentAccountId: 'agent_account_id',
  wrapUpCode: 'wrap_up_code',
  updatedAt: 'updated_at',
  completedAt: 'completed_at',
  queue: 'queue',
  priority: 'priority',
  queuedAt: 'queued_at',
  handledAt: 'handled_at',
  offerExpiresAt: 'offer_expires_at',
  declinedBy: 'declined_by',
  preferredAgentId: 'preferred_agent_id',
  preferredUntil: 'preferred_until',
  skills: 'skills',
  language: 'language',
  displayName: 'display_name',
  role: 'role',
  passwordHash: 'password_hash',
  tokenGeneration: 'token_generation',
  disabled: 'disabled',
};
const JSON_COLUMNS = new Set(['userData', 'declinedBy', 'skills']);

/** `col = ?, ...` for the defined keys of a patch, with their values. */
export function setClause(patch: Record<string, unknown>): { sql: string; values: unknown[] } {
  const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
  const sql = keys.map((k) => `${COLUMN[k] ?? fail(k)} = ?`).join(', ');
  const values = keys.map((k) => (JSON_COLUMNS.has(k) ? JSON.stringify(patch[k]) : typeof patch[k] === 'boolean' ? Number(patch[k]) : patch[k]));
  return { sql, values };
}
function fail(k: string): never {
  throw new Error(`unknown column for ${k}`);
}

export const toFile = (r: Row): StoredFile => ({ id: r.id, sessionId: r.session_id, name: r.name, mime: r.mime, size: r.size, createdAt: r.created_at });
export const toApiKey = (r: Row): ApiKey => ({ keyHash: r.key_hash, label: r.label, kind: r.kind });
export const toCannedResponse = (r: Row): CannedResponse => ({ id: r.id, title: r.title, text: r.text });
export const toWrapUpCode = (r: Row): WrapUpCode => ({ code: r.code, label: r.label });
export const toFlowRun = (r: Row): FlowRun => ({
  sessionId: r.session_id,
  interactionId: r.interaction_id,
  step: r.step,
  waiting: r.waiting,
  vars: JSON.parse(r.vars),
  lastIndexNum: r.last_index_num,
  updatedAt: r.updated_at,
});
/** `map(row)`, or null for no row. */
export const orNull = <T>(r: Row | undefined, map: (r: Row) => T): T | null => (r ? map(r) : null);
export const toSurvey = (r: Row): Survey => ({
  sessionId: r.session_id,
  deploymentId: r.deployment_id,
  queue: r.queue,
  agentAccountId: r.agent_account_id,
  rating: Number(r.rating),
  comment: r.comment,
  createdAt: r.created_at,
});
/** PostgreSQL answers COUNT and SUM as bigint/numeric strings. */
export const toSurveySummaryRow = (r: Row): SurveySummaryRow => ({ key: r.group_key, count: Number(r.survey_count), ratingSum: Number(r.rating_sum) });
export const toBusinessHours = (r: Row): BusinessHours => ({
  deploymentId: r.deployment_id,
  queue: r.queue,
  timeZone: r.time_zone,
  weekly: JSON.parse(r.weekly),
  holidays: JSON.parse(r.holidays),
  updatedAt: r.updated_at,
});
