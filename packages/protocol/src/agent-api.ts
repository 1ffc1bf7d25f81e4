import { z } from 'zod';
import { INTERACTION_STATES, MESSAGE_TYPES, PARTICIPANT_TYPES, VISIBILITIES } from './model.js';

/**
 * The agent and supervisor API (/agent/v1: REST answers and the frames of /agent/v1/events): the
 * contract between the server and the desktop. Its own shapes, not the internal model's nor a
 * Genesys format's: a field reaches this wire only by being named here. Answers are strict objects,
 * so a field the server adds without adding it here fails the contract tests.
 */

export const STAFF_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const PRESENCES = ['Ready', 'NotReady'] as const;
export type Presence = (typeof PRESENCES)[number];

/** What an agent may send into a session with POST /sessions/:id/messages. */
export const AGENT_SEND_TYPES = ['Text', 'Notice', 'PushUrl', 'TypingStarted', 'TypingStopped'] as const;
export type AgentSendType = (typeof AGENT_SEND_TYPES)[number];

const isoTime = z.string();
const nullableTime = isoTime.nullable();

export const agentAccount = z.strictObject({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(STAFF_ROLES),
});
export type AgentAccount = z.infer<typeof agentAccount>;

/** An agent's routing profile as staff see it. */
export const agentProfile = z.strictObject({
  accountId: z.string(),
  presence: z.enum(PRESENCES),
  reason: z.string().nullable(),
  capacity: z.number().int(),
  /** skill name -> level (1-10) */
  skills: z.record(z.string(), z.number()),
  languages: z.array(z.string()),
  /** Queue names the agent serves; empty = every queue. */
  queues: z.array(z.string()),
});
export type AgentProfile = z.infer<typeof agentProfile>;

export const agentInteraction = z.strictObject({
  id: z.string(),
  sessionId: z.string(),
  deploymentId: z.string(),
  state: z.enum(INTERACTION_STATES),
  queue: z.string(),
  priority: z.number().int(),
  agentAccountId: z.string().nullable(),
  wrapUpCode: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  completedAt: nullableTime,
  /** When it last entered Queued. */
  queuedAt: isoTime,
  handledAt: nullableTime,
  offerExpiresAt: nullableTime,
  /** Routing requirements. */
  skills: z.array(z.string()),
  language: z.string().nullable(),
});
export type AgentInteraction = z.infer<typeof agentInteraction>;

export const customerName = z.strictObject({ nickname: z.string() });

/** An interaction in a list: with the customer's nickname. */
export const listedInteraction = agentInteraction.extend({ customer: customerName });
export type ListedInteraction = z.infer<typeof listedInteraction>;

export const agentSession = z.strictObject({
  id: z.string(),
  deploymentId: z.string(),
  async: z.boolean(),
  state: z.enum(['Active', 'Ended']),
  userData: z.record(z.string(), z.string()),
  createdAt: isoTime,
  endedAt: nullableTime,
});
export type AgentSession = z.infer<typeof agentSession>;

export const agentParticipant = z.strictObject({
  id: z.string(),
  type: z.enum(PARTICIPANT_TYPES),
  nickname: z.string(),
  accountId: z.string().nullable(),
  /** `Monitoring`: a supervisor reading (and whispering) without the customer knowing. */
  state: z.enum(['Connected', 'Monitoring', 'Left']),
  joinedAt: isoTime,
  leftAt: nullableTime,
});
export type AgentParticipant = z.infer<typeof agentParticipant>;

export const sessionDetails = z.strictObject({
  session: agentSession,
  participants: z.array(agentParticipant),
  interactions: z.array(agentInteraction),
});
export type SessionDetails = z.infer<typeof sessionDetails>;

/** A session in the history list (GET /sessions?mine=true): with the customer and every interaction. */
export const sessionSummary = agentSession.extend({ customer: customerName, interactions: z.array(agentInteraction) });
export type SessionSummary = z.infer<typeof sessionSummary>;

export const agentAttachment = z.strictObject({
  type: z.enum(['image', 'file']),
  mime: z.string(),
  url: z.string(),
  name: z.string().optional(),
  size: z.number().optional(),
});
export type AgentAttachment = z.infer<typeof agentAttachment>;

export const agentMessage = z.strictObject({
  id: z.string(),
  /** `"<ms>-<seq>"`: resume reads and subscriptions after it. */
  index: z.string(),
  utcTime: isoTime,
  visibility: z.enum(VISIBILITIES),
  type: z.enum(MESSAGE_TYPES),
  from: z.strictObject({ participantId: z.string(), type: z.enum(PARTICIPANT_TYPES), nickname: z.string().optional() }),
  text: z.string().optional(),
  url: z.string().optional(),
  content: z.array(agentAttachment).optional(),
  event: z.string().optional(),
  /** System messages carry `interactionState`; UI events their data. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AgentMessage = z.infer<typeof agentMessage>;

export const messagesPage = z.strictObject({
  messages: z.array(agentMessage),
  lastIndex: z.string().nullable(),
  sessionEnded: z.boolean(),
});
export type MessagesPage = z.infer<typeof messagesPage>;

export const agentSummary = z.strictObject({
  id: z.string(),
  displayName: z.string(),
  role: z.enum(STAFF_ROLES),
  presence: z.enum(PRESENCES),
  reason: z.string().nullable(),
  /** Open interactions held now. */
  active: z.number().int(),
  capacity: z.number().int(),
});
export type AgentSummary = z.infer<typeof agentSummary>;

export const queueSummary = z.strictObject({ name: z.string(), deploymentId: z.string(), waiting: z.number().int() });
export type QueueSummary = z.infer<typeof queueSummary>;

export const overviewQueue = queueSummary.extend({ offered: z.number().int(), longestWaitSeconds: z.number() });
export type OverviewQueue = z.infer<typeof overviewQueue>;

export const overviewSession = z.strictObject({
  id: z.string(),
  deploymentId: z.string(),
  state: z.enum(['Active', 'Ended']),
  interactionId: z.string().nullable(),
  interactionState: z.enum(INTERACTION_STATES).nullable(),
  agentName: z.string().nullable(),
  customerName: z.string(),
  queue: z.string().nullable(),
  createdAt: isoTime,
});
export type OverviewSession = z.infer<typeof overviewSession>;

export const overview = z.strictObject({
  queues: z.array(overviewQueue),
  agents: z.array(agentSummary),
  sessions: z.array(overviewSession),
});
export type Overview = z.infer<typeof overview>;

/** The newest message with text in a found conversation, as a one-line preview (no attachments). */
export const messagePreview = z.strictObject({
  index: z.string(),
  utcTime: isoTime,
  type: z.enum(MESSAGE_TYPES),
  visibility: z.enum(VISIBILITIES),
  from: z.strictObject({ type: z.enum(PARTICIPANT_TYPES), nickname: z.string().optional() }),
  /** At most 200 characters (then an ellipsis). */
  text: z.string(),
});
export type MessagePreview = z.infer<typeof messagePreview>;

/** A conversation found by GET /search: the session, its customer's full name, its interactions and a preview. */
export const foundConversation = agentSession.extend({
  customer: z.strictObject({ nickname: z.string(), fullName: z.string() }),
  interactions: z.array(agentInteraction),
  lastMessage: messagePreview.nullable(),
});
export type FoundConversation = z.infer<typeof foundConversation>;

export const searchPage = z.strictObject({
  results: z.array(foundConversation),
  /** How many conversations match in all. */
  total: z.number().int(),
  /** 0-based. */
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type SearchPage = z.infer<typeof searchPage>;

export const contactKey = z.strictObject({ kind: z.enum(['customerId', 'email']), value: z.string() });
export const contactNote = z.strictObject({ id: z.string(), authorAccountId: z.string(), authorName: z.string(), text: z.string(), createdAt: isoTime });
export type ContactNote = z.infer<typeof contactNote>;

/** One of the contact's sessions: when, how it went (interactions); no message of it. */
export const contactSession = z.strictObject({
  id: z.string(),
  state: z.enum(['Active', 'Ended']),
  async: z.boolean(),
  createdAt: isoTime,
  endedAt: nullableTime,
  interactions: z.array(agentInteraction),
});
export type ContactSession = z.infer<typeof contactSession>;

/** The customer across conversations (GET /sessions/:id/contact); `contact` is null when the customer gave no customer id or e-mail. */
export const contactView = z.strictObject({
  contact: z
    .strictObject({
      id: z.string(),
      displayName: z.string(),
      createdAt: isoTime,
      keys: z.array(contactKey),
      /** Newest first, this conversation included. */
      sessions: z.array(contactSession),
      /** Newest first. */
      notes: z.array(contactNote),
    })
    .nullable(),
});
export type ContactView = z.infer<typeof contactView>;

const seconds = z.number().nullable();
export const reportFigures = z.strictObject({
  /** Entered a queue. */
  offered: z.number().int(),
  /** An agent took it. */
  handled: z.number().int(),
  /** Ended before any agent took it. */
  abandoned: z.number().int(),
  /** Still queued or offered. */
  waiting: z.number().int(),
  /** Queue to agent, over handled interactions (seconds, one decimal). */
  averageWaitSeconds: seconds,
  /** Agent taking it to completion, wrap-up included (seconds, one decimal). */
  averageHandleSeconds: seconds,
});
export type ReportFigures = z.infer<typeof reportFigures>;

/** GET /supervisor/report: the figures of the interactions created in [from, to). */
export const dayReport = z.strictObject({
  from: isoTime,
  to: isoTime,
  totals: reportFigures,
  queues: z.array(reportFigures.extend({ queue: z.string(), deploymentId: z.string() })),
  agents: z.array(z.strictObject({ accountId: z.string(), displayName: z.string(), handled: z.number().int(), declined: z.number().int(), averageHandleSeconds: seconds })),
  truncated: z.boolean(),
});
export type DayReport = z.infer<typeof dayReport>;

export const cannedResponse = z.strictObject({ id: z.string(), title: z.string(), text: z.string() });
export type CannedResponse = z.infer<typeof cannedResponse>;

export const wrapUpCode = z.strictObject({ code: z.string(), label: z.string() });
export type WrapUpCode = z.infer<typeof wrapUpCode>;

/** The customer's satisfaction survey of a session (1 worst, 5 best), as staff who may read the session see it. */
export const agentSurvey = z.strictObject({
  sessionId: z.string(),
  queue: z.string(),
  /** The agent who handled the chat (null when none did). */
  agentId: z.string().nullable(),
  rating: z.number().int().min(1).max(5),
  comment: z.string(),
  createdAt: isoTime,
});
export type AgentSurvey = z.infer<typeof agentSurvey>;

export const SURVEY_REPORT_GROUPS = ['queue', 'agent'] as const;
/** Surveys answered in [from, to): count and average rating per queue or agent. */
export const surveyReport = z.strictObject({
  from: isoTime,
  to: isoTime,
  groupBy: z.enum(SURVEY_REPORT_GROUPS),
  rows: z.array(z.strictObject({ key: z.string(), label: z.string(), count: z.number().int(), average: z.number() })),
  total: z.strictObject({ count: z.number().int(), average: z.number().nullable() }),
});
export type SurveyReport = z.infer<typeof surveyReport>;

/** The answers of /agent/v1, by route. */
export const agentResponses = {
  login: z.strictObject({ token: z.string(), expiresAt: isoTime, account: agentAccount }),
  logout: z.strictObject({ loggedOut: z.literal(true) }),
  /** `GET /agent/v1/sso`: whether the login page offers single sign-on, and the button's text. */
  sso: z.strictObject({ enabled: z.boolean(), label: z.string().optional() }),
  me: z.strictObject({ account: agentAccount, profile: agentProfile }),
  profile: z.strictObject({ profile: agentProfile }),
  interactions: z.strictObject({ interactions: z.array(listedInteraction) }),
  interaction: z.strictObject({ interaction: agentInteraction }),
  session: sessionDetails,
  messages: messagesPage,
  message: z.strictObject({ message: agentMessage }),
  left: z.strictObject({ left: z.literal(true) }),
  sessions: z.strictObject({ sessions: z.array(sessionSummary) }),
  conferenced: z.strictObject({ conferenced: z.literal(true) }),
  agents: z.strictObject({ agents: z.array(agentSummary) }),
  queues: z.strictObject({ queues: z.array(queueSummary) }),
  cannedResponses: z.strictObject({ cannedResponses: z.array(cannedResponse) }),
  wrapUpCodes: z.strictObject({ wrapUpCodes: z.array(wrapUpCode) }),
  overview,
  search: searchPage,
  contact: contactView,
  report: dayReport,
  contactNote: z.strictObject({ note: contactNote }),
  monitoring: z.strictObject({ monitoring: z.literal(true) }),
  joined: z.strictObject({ joined: z.literal(true) }),
  survey: z.strictObject({ survey: agentSurvey.nullable() }),
  surveyReport: z.strictObject({ report: surveyReport }),
} as const;
export type LoginResult = z.infer<typeof agentResponses.login>;
export type SsoInfo = z.infer<typeof agentResponses.sso>;
export type MeResult = z.infer<typeof agentResponses.me>;

/** Frames the server sends on /agent/v1/events. */
export const agentServerFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), account: agentAccount }),
  /** My open interactions (Offered, Handling, Finalizing): a full snapshot each time. */
  z.strictObject({ type: z.literal('interactions'), interactions: z.array(listedInteraction) }),
  z.strictObject({ type: z.literal('profile'), profile: agentProfile }),
  /** Supervisors and admins only. */
  z.strictObject({ type: z.literal('overview'), overview }),
  z.strictObject({ type: z.literal('subscribed'), sessionId: z.string() }),
  /** The stream of a session ended: access was lost (the reason says why). */
  z.strictObject({ type: z.literal('unsubscribed'), sessionId: z.string(), reason: z.string() }),
  z.strictObject({ type: z.literal('message'), sessionId: z.string(), message: agentMessage }),
  z.strictObject({ type: z.literal('ping') }),
  z.strictObject({ type: z.literal('error'), message: z.string(), sessionId: z.string().optional() }),
]);
export type AgentServerFrame = z.infer<typeof agentServerFrame>;

/** Frames a client sends on /agent/v1/events; the first must be `auth`. */
export const agentClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.object({
    type: z.literal('subscribe'),
    sessionId: z.string().uuid(),
    after: z
      .string()
      .regex(/^\d+-\d$/)
      .optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), sessionId: z.string().uuid() }),
  z.object({ type: z.literal('pong') }),
]);
export type AgentClientFrame = z.infer<typeof agentClientFrame>;
