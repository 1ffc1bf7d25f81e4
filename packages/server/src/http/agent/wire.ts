import type {
  AgentAccount,
  AgentInteraction,
  AgentMessage,
  AgentParticipant,
  AgentProfile,
  AgentSession,
  AgentSurvey,
  CannedResponse,
  ContactNote,
  ContactView,
  DayReport,
  FoundConversation,
  ReportFigures,
  ListedInteraction,
  Message,
  MessagePreview,
  MessagesPage,
  Overview,
  QueueSummary,
  SessionDetails,
  SearchPage,
  SessionSummary,
  SurveyReport,
  WrapUpCode,
} from '@parley/protocol';
import type { SearchAnswer } from '../../core/conversation-search.js';
import type { DayReport as CoreDayReport, Figures } from '../../core/day-report.js';
import type { ContactNote as CoreContactNote, ContactView as CoreContactView } from '../../core/contact-service.js';
import type { Overview as CoreOverview } from '../../core/supervision.js';
import type { SurveyReport as CoreSurveyReport } from '../../core/survey-service.js';
import type { Account, Interaction, Participant, Session, Survey } from '../../core/types.js';

/**
 * Internal model -> the agent API's wire shapes (@parley/protocol agent-api). Every field is picked
 * by name: a field added to the internal model stays off this wire until it is added here and to
 * the protocol schema.
 */

export const toAgentAccount = (a: Account): AgentAccount => ({ id: a.id, username: a.username, displayName: a.displayName, role: a.role });

/** `p` is the stored profile: only the fields the wire names are copied. */
export const toAgentProfile = (p: AgentProfile): AgentProfile => ({
  accountId: p.accountId,
  presence: p.presence,
  reason: p.reason,
  capacity: p.capacity,
  skills: { ...p.skills },
  languages: [...p.languages],
  queues: [...p.queues],
});

export const toAgentInteraction = (i: Interaction): AgentInteraction => ({
  id: i.id,
  sessionId: i.sessionId,
  deploymentId: i.deploymentId,
  state: i.state,
  queue: i.queue,
  priority: i.priority,
  agentAccountId: i.agentAccountId,
  wrapUpCode: i.wrapUpCode,
  createdAt: i.createdAt,
  updatedAt: i.updatedAt,
  completedAt: i.completedAt,
  queuedAt: i.queuedAt,
  handledAt: i.handledAt,
  offerExpiresAt: i.offerExpiresAt,
  skills: [...i.skills],
  language: i.language,
});

/** An interaction with its customer's nickname, as interaction lists carry it. */
export const toListedInteraction = (i: Interaction & { customer: { nickname: string } }): ListedInteraction => ({
  ...toAgentInteraction(i),
  customer: { nickname: i.customer.nickname },
});

export const toAgentSession = (s: Session): AgentSession => ({
  id: s.id,
  deploymentId: s.deploymentId,
  async: s.async,
  state: s.state,
  userData: { ...s.userData },
  createdAt: s.createdAt,
  endedAt: s.endedAt,
});

export const toAgentParticipant = (p: Participant): AgentParticipant => ({
  id: p.id,
  type: p.type,
  nickname: p.nickname,
  accountId: p.accountId,
  state: p.state,
  joinedAt: p.joinedAt,
  leftAt: p.leftAt,
});

export const toSessionDetails = (d: { session: Session; participants: Participant[]; interactions: Interaction[] }): SessionDetails => ({
  session: toAgentSession(d.session),
  participants: d.participants.map(toAgentParticipant),
  interactions: d.interactions.map(toAgentInteraction),
});

export const toSessionSummary = (s: Session & { customer: { nickname: string }; interactions: Interaction[] }): SessionSummary => ({
  ...toAgentSession(s),
  customer: { nickname: s.customer.nickname },
  interactions: s.interactions.map(toAgentInteraction),
});

export function toAgentMessage(m: Message): AgentMessage {
  const out: AgentMessage = {
    id: m.id,
    index: m.index,
    utcTime: m.utcTime,
    visibility: m.visibility,
    type: m.type,
    from: { participantId: m.from.participantId, type: m.from.type },
  };
  if (m.from.nickname !== undefined) out.from.nickname = m.from.nickname;
  if (m.text !== undefined) out.text = m.text;
  if (m.url !== undefined) out.url = m.url;
  if (m.content !== undefined)
    out.content = m.content.map((a) => ({ type: a.type, mime: a.mime, url: a.url, ...(a.name !== undefined ? { name: a.name } : {}), ...(a.size !== undefined ? { size: a.size } : {}) }));
  if (m.event !== undefined) out.event = m.event;
  if (m.data !== undefined) out.data = m.data;
  return out;
}

export const toMessagesPage = (r: { messages: Message[]; lastDeliveredIndex: string | null; chatEnded: boolean }): MessagesPage => ({
  messages: r.messages.map(toAgentMessage),
  lastIndex: r.lastDeliveredIndex,
  sessionEnded: r.chatEnded,
});

export const toOverview = (o: CoreOverview): Overview => ({
  queues: o.queues.map((q) => ({ name: q.name, deploymentId: q.deploymentId, waiting: q.waiting, offered: q.offered, longestWaitSeconds: q.longestWaitSeconds })),
  agents: o.agents.map((a) => ({ id: a.id, displayName: a.displayName, role: a.role, presence: a.presence, reason: a.reason, active: a.active, capacity: a.capacity })),
  sessions: o.sessions.map((s) => ({
    id: s.id,
    deploymentId: s.deploymentId,
    state: s.state,
    interactionId: s.interactionId,
    interactionState: s.interactionState,
    agentName: s.agentName,
    customerName: s.customerName,
    queue: s.queue,
    createdAt: s.createdAt,
  })),
});

export const toQueueSummary = (q: { name: string; deploymentId: string; waiting: number }): QueueSummary => ({ name: q.name, deploymentId: q.deploymentId, waiting: q.waiting });

export const toCannedResponse = (c: CannedResponse): CannedResponse => ({ id: c.id, title: c.title, text: c.text });

export const toWrapUpCode = (w: WrapUpCode): WrapUpCode => ({ code: w.code, label: w.label });

export const toMessagePreview = (m: Message): MessagePreview => ({
  index: m.index,
  utcTime: m.utcTime,
  type: m.type,
  visibility: m.visibility,
  from: { type: m.from.type, ...(m.from.nickname !== undefined ? { nickname: m.from.nickname } : {}) },
  text: m.text || m.url || '',
});

export const toSearchPage = (a: SearchAnswer): SearchPage => ({
  results: a.results.map((r): FoundConversation => ({
    ...toAgentSession(r.session),
    customer: { nickname: r.customer.nickname, fullName: r.customer.fullName },
    interactions: r.interactions.map(toAgentInteraction),
    lastMessage: r.lastMessage ? toMessagePreview(r.lastMessage) : null,
  })),
  total: a.total,
  page: a.page,
  pageSize: a.pageSize,
});

export const toContactNote = (n: CoreContactNote): ContactNote => ({ id: n.id, authorAccountId: n.authorAccountId, authorName: n.authorName, text: n.text, createdAt: n.createdAt });

export const toContactView = (v: CoreContactView | null): ContactView => ({
  contact: v
    ? {
        id: v.contact.id,
        displayName: v.contact.displayName,
        createdAt: v.contact.createdAt,
        keys: v.keys.map((k) => ({ kind: k.kind, value: k.value })),
        sessions: v.sessions.map((s) => ({ id: s.id, state: s.state, async: s.async, createdAt: s.createdAt, endedAt: s.endedAt, interactions: s.interactions.map(toAgentInteraction) })),
        notes: v.notes.map(toContactNote),
      }
    : null,
});

const toFigures = (f: Figures): ReportFigures => ({
  offered: f.offered,
  handled: f.handled,
  abandoned: f.abandoned,
  waiting: f.waiting,
  averageWaitSeconds: f.averageWaitSeconds,
  averageHandleSeconds: f.averageHandleSeconds,
});

export const toDayReport = (r: CoreDayReport): DayReport => ({
  from: r.from,
  to: r.to,
  totals: toFigures(r.totals),
  queues: r.queues.map((q) => ({ queue: q.queue, deploymentId: q.deploymentId, ...toFigures(q) })),
  agents: r.agents.map((a) => ({ accountId: a.accountId, displayName: a.displayName, handled: a.handled, declined: a.declined, averageHandleSeconds: a.averageHandleSeconds })),
  truncated: r.truncated,
});

export const toAgentSurvey = (s: Survey): AgentSurvey => ({ sessionId: s.sessionId, queue: s.queue, agentId: s.agentAccountId, rating: s.rating, comment: s.comment, createdAt: s.createdAt });

export const toSurveyReport = (r: CoreSurveyReport): SurveyReport => ({
  from: r.from,
  to: r.to,
  groupBy: r.groupBy,
  rows: r.rows.map((row) => ({ key: row.key, label: row.label, count: row.count, average: row.average })),
  total: { count: r.total.count, average: r.total.average },
});
