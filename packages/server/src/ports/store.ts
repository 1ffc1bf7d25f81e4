import type { InteractionState, Message, ParticipantType, Visibility } from '@parley/protocol';
import type { StaffIdentityStore } from './store/staff-identities.js';

export type AsyncMode = 'sync' | 'async' | 'client';

export interface AsyncPolicy {
  /** The default. `client` lets the start request ask with `data[async]` (Parley's SDK; Genesys clients never ask). */
  mode: AsyncMode;
  /**
   * Per chat endpoint, by name in any case: v3 `data[endpoint]`, the GMS service name, the guest chat
   * target queue. A start naming one of these gets its mode instead of `mode` (core/async-decision).
   */
  endpoints?: Record<string, AsyncMode>;
  /** What a customer message after the agent closed the segment (Finalizing or Completed) gets within `noticeWindowSeconds`: routed, or an automated notice. */
  afterCompletion: 'route' | 'notice';
  noticeWindowSeconds: number;
  noticeText: string;
}

export interface IdlePolicy {
  /** Synchronous chats: alert a silent customer after this many seconds (0 = never). */
  alertAfterSeconds: number;
  alertText: string;
  /** ...and close the chat this many seconds after the customer's last message (0 = never). */
  closeAfterSeconds: number;
  closeText: string;
  /** Asynchronous sessions: close after this long with no activity at all (0 = never). */
  asyncCloseAfterSeconds: number;
}

export interface DeploymentSettings {
  /** The built-in flow run when an interaction enters Workflow (see flows/definition). */
  flow?: unknown;
  idle?: IdlePolicy;
  /** Name reported as the serving application (`ChatServerAppName`, seed 002). */
  appName?: string;
}

export interface Deployment {
  id: string;
  name: string;
  allowedOrigins: string[];
  asyncPolicy: AsyncPolicy;
  defaultQueue: string;
  createdAt: string;
  settings: DeploymentSettings;
}

/** `public` keys are embedded in web pages; `server` keys are secrets for workflows, bots and back ends. */
export type ApiKeyKind = 'public' | 'server';

export interface FlowRun {
  sessionId: string;
  interactionId: string;
  step: string;
  /** What the run waits for before going on. */
  waiting: 'answer' | 'bot' | null;
  vars: Record<string, string>;
  /** Position (numeric index) of the last message the run consumed. */
  lastIndexNum: number;
  updatedAt: string;
}

export interface Session {
  id: string;
  deploymentId: string;
  async: boolean;
  state: 'Active' | 'Ended';
  customerParticipantId: string;
  transportId: string;
  userData: Record<string, string>;
  createdAt: string;
  endedAt: string | null;
  /** Numeric form of the last index appended (0 when the log is empty). */
  lastIndexNum: number;
  /** Last Text from the customer (or the start): idle control of synchronous chats. */
  lastCustomerAt: string;
  /** Last message of anyone: idle control of asynchronous sessions. */
  lastActivityAt: string;
}

export interface Participant {
  id: string;
  sessionId: string;
  type: ParticipantType;
  nickname: string;
  accountId: string | null;
  /** `Monitoring`: a supervisor reading (and whispering) without the customer knowing. */
  state: 'Connected' | 'Monitoring' | 'Left';
  joinedAt: string;
  leftAt: string | null;
  /** Numeric index of the last message delivered to this participant. */
  cursorNum: number;
}

export interface Interaction {
  id: string;
  sessionId: string;
  deploymentId: string;
  state: InteractionState;
  queue: string;
  priority: number;
  agentAccountId: string | null;
  wrapUpCode: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Routing requirements (seed 003 `interactionData.routing`). */
  skills: string[];
  language: string | null;
  /** When it last entered Queued: the routing age. */
  queuedAt: string;
  handledAt: string | null;
  offerExpiresAt: string | null;
  /** Agents who rejected or let an offer time out: not offered again. */
  declinedBy: string[];
  /** Offered only to this agent until `preferredUntil` (returning async customer, transfer to an agent). */
  preferredAgentId: string | null;
  preferredUntil: string | null;
}

export type InteractionPatch = Partial<
  Pick<
    Interaction,
    | 'state'
    | 'agentAccountId'
    | 'wrapUpCode'
    | 'updatedAt'
    | 'completedAt'
    | 'queue'
    | 'priority'
    | 'queuedAt'
    | 'handledAt'
    | 'offerExpiresAt'
    | 'declinedBy'
    | 'preferredAgentId'
    | 'preferredUntil'
    | 'skills'
    | 'language'
  >
>;

export interface Queue {
  id: string;
  deploymentId: string;
  name: string;
  skills: string[];
  language: string | null;
  offerTimeoutSeconds: number;
  /** In async mode, how long a returning customer waits for the last agent who handled them. */
  stickySeconds: number;
}

export type Presence = 'Ready' | 'NotReady';

export interface AgentProfile {
  accountId: string;
  presence: Presence;
  reason: string | null;
  capacity: number;
  /** skill name -> level (1-10) */
  skills: Record<string, number>;
  languages: string[];
  /** Queue names the agent serves; empty = every queue. */
  queues: string[];
  idleSince: string;
  updatedAt: string;
}

/**
 * One agent desktop connection (the agent WebSocket), a lease kept by the node holding the socket:
 * presence follows it on every node (core/presence-watch).
 */
export interface AgentConnection {
  id: string;
  accountId: string;
  /** The node holding the socket; it refreshes `seenAt` of its open connections. */
  nodeId: string;
  /** Last refresh while open; the close time once closed. */
  seenAt: string;
  closedAt: string | null;
}

export interface CannedResponse {
  id: string;
  title: string;
  text: string;
}

export interface WrapUpCode {
  code: string;
  label: string;
}

export type Role = 'agent' | 'supervisor' | 'admin';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  createdAt: string;
  /** Staff tokens carry the generation they were signed at; raising it revokes every earlier token. */
  tokenGeneration: number;
  /** A disabled account cannot log in and its tokens are refused. */
  disabled: boolean;
}

export interface StoredFile {
  id: string;
  sessionId: string;
  name: string;
  mime: string;
  size: number;
  createdAt: string;
}

export interface MessageQuery {
  /** Only messages with numeric index greater than this. */
  afterNum?: number;
  /** Only messages with numeric index lower than this. */
  beforeNum?: number;
  visibilities: Visibility[];
  /** Vip messages addressed to this account (a supervisor's whisper) are visible to it too. */
  audienceAccountId?: string;
  limit: number;
  /** `desc` takes the newest `limit` messages (returned in log order all the same). */
  newest?: boolean;
}

/** A message before the store gives it its index. */
export type MessageDraft = Omit<Message, 'index' | 'sessionId' | 'utcTime'> & { utcTime?: string };

/**
 * Everything the core does to persistent state, inside one transaction.
 * Adapters guarantee: a `tx` callback runs atomically; if it throws, nothing is written. Isolation is
 * the adapter's (SQLite runs transactions one at a time; PostgreSQL runs READ COMMITTED), so core takes
 * row locks (`forUpdate`) wherever it reads, decides and writes. An adapter may run a callback again
 * after a serialization failure: callbacks must be safe to re-run (no side effects outside the tx).
 */
export interface StoreTx extends StaffIdentityStore {
  getDeployment(id: string): Promise<Deployment | null>;
  /** The deployment of a key of the given kind (public by default). */
  getDeploymentByApiKeyHash(hash: string, kind?: ApiKeyKind): Promise<Deployment | null>;
  insertDeployment(d: Deployment): Promise<void>;
  addApiKey(deploymentId: string, keyHash: string, label: string, kind?: ApiKeyKind): Promise<void>;
  listDeployments(): Promise<Deployment[]>;

  insertSession(s: Session): Promise<void>;
  /** Reads a session; `forUpdate` locks it for the rest of the transaction. */
  getSession(id: string, forUpdate?: boolean): Promise<Session | null>;
  updateSession(id: string, patch: Partial<Pick<Session, 'state' | 'endedAt' | 'userData'>>): Promise<void>;

  insertParticipant(p: Participant): Promise<void>;
  /** Reads a participant; `forUpdate` locks it (delivery cursors move one reader at a time). */
  getParticipant(id: string, forUpdate?: boolean): Promise<Participant | null>;
  listParticipants(sessionId: string): Promise<Participant[]>;
  updateParticipant(id: string, patch: Partial<Pick<Participant, 'state' | 'leftAt' | 'cursorNum'>>): Promise<void>;

  /** Appends to the log; the index is the next one after the session's last (see core/message-index). */
  appendMessage(sessionId: string, draft: MessageDraft, nowMs: number): Promise<Message>;
  listMessages(sessionId: string, q: MessageQuery): Promise<Message[]>;

  insertInteraction(i: Interaction): Promise<void>;
  getInteraction(id: string, forUpdate?: boolean): Promise<Interaction | null>;
  /** The newest interaction of a session. */
  latestInteraction(sessionId: string): Promise<Interaction | null>;
  /** Oldest first (at most 1000); `recentlyHandled: n` instead gives the n most recently handled (`handledAt`), newest first. */
  listInteractions(filter: { states?: InteractionState[]; agentAccountId?: string; sessionId?: string; queue?: string; deploymentId?: string; recentlyHandled?: number }): Promise<Interaction[]>;
  /**
   * Compare-and-set: updates only when the interaction is still in `expected`.
   * Returns false when another writer changed it first.
   */
  updateInteraction(id: string, expected: InteractionState, patch: InteractionPatch): Promise<boolean>;
  /** Interactions of a state an agent carries (Offered, Handling, Finalizing), counted per agent. */
  agentLoads(): Promise<Record<string, number>>;

  listQueues(deploymentId?: string): Promise<Queue[]>;
  getQueue(deploymentId: string, name: string): Promise<Queue | null>;
  upsertQueue(q: Queue): Promise<void>;
  deleteQueue(id: string): Promise<boolean>;

  getProfile(accountId: string): Promise<AgentProfile | null>;
  /** All profiles; `forUpdate` locks them so routers on several nodes decide one at a time. */
  listProfiles(forUpdate?: boolean): Promise<AgentProfile[]>;
  upsertProfile(p: AgentProfile): Promise<void>;

  /** Inserts a connection, or replaces the one with its id. */
  putAgentConnection(c: AgentConnection): Promise<void>;
  /** Marks a connection closed at `atIso` (also its last `seenAt`). */
  closeAgentConnection(id: string, atIso: string): Promise<void>;
  /** Sets `seenAt` of the open connections a node holds; returns how many there are. */
  refreshAgentConnections(nodeId: string, atIso: string): Promise<number>;
  /** An account's connections, oldest `seenAt` first. */
  listAgentConnections(accountId: string): Promise<AgentConnection[]>;
  /** Accounts with connections, none of them seen after `beforeIso`, with the latest `seenAt` of each. */
  listAbsentAgents(beforeIso: string): Promise<{ accountId: string; lastSeenAt: string }[]>;
  /** Deletes an account's connections seen at or before `upToIso`; returns how many. */
  deleteAgentConnections(accountId: string, upToIso: string): Promise<number>;

  listAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: Partial<Pick<Account, 'displayName' | 'role' | 'passwordHash' | 'tokenGeneration' | 'disabled'>>): Promise<void>;
  updateDeployment(d: Deployment): Promise<void>;
  listApiKeys(deploymentId: string): Promise<{ keyHash: string; label: string; kind: ApiKeyKind }[]>;
  deleteApiKey(deploymentId: string, keyHashPrefix: string): Promise<boolean>;

  listCannedResponses(): Promise<CannedResponse[]>;
  insertCannedResponse(c: CannedResponse): Promise<void>;
  deleteCannedResponse(id: string): Promise<boolean>;
  listWrapUpCodes(): Promise<WrapUpCode[]>;
  upsertWrapUpCode(c: WrapUpCode): Promise<void>;
  deleteWrapUpCode(code: string): Promise<boolean>;

  getFlowRun(sessionId: string): Promise<FlowRun | null>;
  putFlowRun(run: FlowRun): Promise<void>;
  deleteFlowRun(sessionId: string): Promise<void>;
  /** Active sessions whose customer has been silent since before `beforeIso` (oldest first). */
  listSessionsCustomerSilentSince(beforeIso: string, limit: number): Promise<Session[]>;
  /** Active sessions with no message at all since before `beforeIso` (oldest first). */
  listSessionsInactiveSince(beforeIso: string, limit: number): Promise<Session[]>;

  /** Active sessions (for supervisors), newest first. */
  listActiveSessions(limit: number): Promise<Session[]>;
  /** Sessions an account took part in (participant or assigned interaction), newest first. */
  listSessionsOfAccount(accountId: string, limit: number): Promise<Session[]>;

  insertAccount(a: Account): Promise<void>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByUsername(username: string): Promise<Account | null>;
  updateAccountPassword(id: string, passwordHash: string): Promise<void>;

  /** Idempotency records: the stored result of a write, keyed by scope and the client's operationId. */
  getOperation(scope: string, operationId: string): Promise<unknown | null>;
  putOperation(scope: string, operationId: string, result: unknown, nowIso: string): Promise<void>;

  insertFile(f: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | null>;

  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;
}

/**
 * The store cannot be reached (the database is down, restarting, or a connection was cut): nothing
 * is wrong with the request, and the same request (with the same operationId) can be sent again
 * shortly. APIs answer it with 503 and Retry-After, sockets with close code 1013.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface Store {
  /**
   * Runs `fn` in one transaction; retried by the adapter on serialization conflicts and, while
   * nothing can have been committed, on lost connections. Throws StoreUnavailableError when the
   * database cannot be reached (or a COMMIT's outcome is unknown).
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
