/** Wire types of the agent API (/agent/v1) as the desktop uses them. */

export type Role = 'agent' | 'supervisor' | 'admin';
export type Presence = 'Ready' | 'NotReady';
export type InteractionState = 'Workflow' | 'Queued' | 'Offered' | 'Handling' | 'Finalizing' | 'Completed';
export type Visibility = 'All' | 'Int' | 'Vip';
export type MessageType =
  | 'Text'
  | 'Notice'
  | 'PushUrl'
  | 'File'
  | 'ParticipantJoined'
  | 'ParticipantLeft'
  | 'TypingStarted'
  | 'TypingStopped'
  | 'System';
export type SenderType = 'Customer' | 'Agent' | 'Supervisor' | 'External' | 'System' | 'Workflow';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

export interface Profile {
  presence: Presence;
  reason?: string | null;
  capacity?: number;
  skills?: Record<string, number>;
  languages?: string[];
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  account: Account;
}

export interface Interaction {
  id: string;
  sessionId: string;
  state: InteractionState;
  queue: string;
  priority: number;
  agentAccountId: string | null;
  createdAt: string;
  updatedAt: string;
  offerExpiresAt?: string | null;
  customer?: { nickname?: string };
  wrapUpCode?: string | null;
}

export interface Participant {
  id: string;
  type: SenderType;
  nickname: string;
  accountId: string | null;
  state: 'Connected' | 'Left' | 'Monitoring';
}

export interface Session {
  id: string;
  deploymentId: string;
  async: boolean;
  state: 'Active' | 'Ended';
  userData: Record<string, string>;
  createdAt: string;
}

export interface SessionDetails {
  session: Session;
  participants: Participant[];
  interactions: Interaction[];
}

export interface Attachment {
  type: string;
  mime: string;
  url: string;
  name?: string;
}

export interface ChatMessage {
  id: string;
  index: string;
  utcTime: string;
  visibility: Visibility;
  type: MessageType;
  from: { participantId: string; type: SenderType; nickname?: string };
  text?: string;
  url?: string;
  content?: Attachment[];
  event?: string;
  data?: { interactionState?: InteractionState; [k: string]: unknown };
}

export interface MessagesPage {
  messages: ChatMessage[];
  lastIndex: string | null;
  sessionEnded: boolean;
}

export interface AgentSummary {
  id: string;
  displayName: string;
  role?: Role;
  presence: Presence;
  reason?: string | null;
  active?: number;
}

export interface QueueSummary {
  name: string;
  deploymentId?: string;
  waiting: number;
  offered?: number;
  longestWaitSeconds?: number;
}

export interface OverviewSession {
  id: string;
  deploymentId: string;
  state: string;
  interactionState?: InteractionState;
  agentName?: string | null;
  customerName?: string | null;
  queue?: string;
}

export interface Overview {
  queues: QueueSummary[];
  agents: AgentSummary[];
  sessions: OverviewSession[];
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

export interface SessionSummary {
  id: string;
  deploymentId?: string;
  state?: string;
  async?: boolean;
  createdAt?: string;
  customerName?: string | null;
  customer?: { nickname?: string };
  interactionState?: InteractionState;
  lastInteraction?: Interaction;
  interactions?: Interaction[];
  [k: string]: unknown;
}

export type OutgoingType = 'Text' | 'Notice' | 'PushUrl' | 'TypingStarted' | 'TypingStopped';

/** Frames on /agent/v1/events. */
export type ServerFrame =
  | { type: 'ready'; account: Account }
  | { type: 'message'; sessionId: string; message: ChatMessage }
  | { type: 'interactions'; interactions: Interaction[] }
  | { type: 'profile'; profile: Profile }
  | { type: 'overview'; overview: Overview }
  | { type: 'ping' }
  | { type: 'error'; message?: string; code?: string };

export type ClientFrame =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; sessionId: string; after?: string }
  | { type: 'unsubscribe'; sessionId: string };
