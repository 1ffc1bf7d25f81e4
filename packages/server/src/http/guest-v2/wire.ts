import { nameText, SYSTEM_PARTICIPANT_ID, type Message } from '@parley/protocol';
import { z } from 'zod';
import type { Participant } from '../../core/types.js';

/**
 * Genesys Cloud guest chat v2 wire format (reference §3): JSON bodies, a Bearer JWT after the
 * create call, members with roles and states, and event-stream frames over a WebSocket.
 */

const fieldValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v)));

export const guestCreateBody = z
  .object({
    organizationId: z.string().max(256).optional(),
    deploymentId: z.string({ message: 'deploymentId is required' }).min(1, 'deploymentId is required').max(256),
    routingTarget: z
      .object({
        targetType: z.string().refine((v) => v.toUpperCase() === 'QUEUE', 'targetType must be QUEUE'),
        targetAddress: z.string({ message: 'targetAddress (a queue name) is required' }).min(1, 'targetAddress (a queue name) is required').max(256),
        priority: z.coerce.number().int('priority must be a whole number from 0 to 10').min(0, 'priority must be 0-10').max(10, 'priority must be 0-10').optional(),
        skills: z.array(z.string().max(128)).max(50).optional(),
        language: z.string().max(128).optional(),
      })
      .passthrough()
      .optional(),
    memberInfo: z
      .object({
        displayName: nameText(256).optional(),
        role: z
          .string()
          .refine((v) => v.toUpperCase() === 'CUSTOMER', 'memberInfo.role must be CUSTOMER')
          .optional(),
        avatarImageUrl: z.string().max(2048).optional(),
        customFields: z.record(z.string().max(128), fieldValue).optional(),
      })
      .passthrough()
      .default({}),
    journeyContext: z.unknown().optional(),
  })
  .passthrough();
export type GuestCreateBody = z.infer<typeof guestCreateBody>;

export const guestSendBody = z.object({
  body: z.string({ message: 'body is required' }),
  bodyType: z.enum(['standard', 'notice'], { message: "bodyType must be 'standard'" }).default('standard'),
});

export const guestMessagesQuery = z.object({
  after: z.string().max(64).optional(),
  before: z.string().max(64).optional(),
  sortOrder: z.enum(['ascending', 'descending']).default('ascending'),
  maxResults: z.coerce.number().int().min(1, 'maxResults must be 1-100').max(100, 'maxResults must be 1-100').default(100),
});

export const guestMembersQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  pageNumber: z.coerce.number().int().min(1).default(1),
  excludeDisconnectedMembers: z.enum(['true', 'false']).default('false'),
});

export type GuestRole = 'CUSTOMER' | 'AGENT' | 'WORKFLOW' | 'ACD';
export type GuestState = 'CONNECTED' | 'DISCONNECTED' | 'ALERTING';

export interface GuestMember {
  id: string;
  displayName: string;
  avatarImageUrl?: string;
  role: GuestRole;
  state: GuestState;
  joinDate?: string;
  leaveDate?: string;
}

export type GuestBodyType = 'standard' | 'notice' | 'member-join' | 'member-leave';

export interface GuestMessage {
  id: string;
  conversation: { id: string };
  sender: { id: string };
  body: string;
  bodyType: GuestBodyType;
  timestamp: string;
  /** Parley extensions: on empty `notice` bodies, interaction state changes (seed 000, opt-in with x-parley-extensions); on `standard` Text, `data.rich` (docs/rich-messages.md). */
  event?: string;
  data?: Record<string, unknown>;
}

export interface GuestFrame {
  topicName: string;
  eventBody: unknown;
  metadata?: { type: 'message' | 'typing-indicator' | 'member-change' };
}

export const roleOf = (t: Participant['type'] | Message['from']['type']): GuestRole => {
  switch (t) {
    case 'Customer':
      return 'CUSTOMER';
    case 'Agent':
    case 'Supervisor':
      return 'AGENT';
    case 'System':
      return 'ACD';
    default:
      return 'WORKFLOW';
  }
};

/** A participant as a member; supervisors who only monitor are not members the customer may see. */
export function toGuestMember(p: Participant): GuestMember | null {
  if (p.state === 'Monitoring') return null;
  const m: GuestMember = { id: p.id, displayName: p.nickname, role: roleOf(p.type), state: p.state === 'Left' ? 'DISCONNECTED' : 'CONNECTED', joinDate: p.joinedAt };
  if (p.leftAt) m.leaveDate = p.leftAt;
  return m;
}

/** Senders that are not participants: System notices (the ACD) and workflows writing through the workflow API. */
export function syntheticMember(id: string, log: Message[]): GuestMember | null {
  const first = log.find((m) => m.from.participantId === id && m.visibility === 'All');
  if (!first && id !== SYSTEM_PARTICIPANT_ID) return null;
  const type = first?.from.type ?? 'System';
  const m: GuestMember = { id, displayName: first?.from.nickname ?? 'System', role: roleOf(type), state: 'CONNECTED' };
  if (first) m.joinDate = first.utcTime;
  return m;
}

/**
 * How one log entry shows as a guest chat message, or null when it does not (typing is a
 * separate event; data-only UI events have no guest form). Interaction state changes come as an
 * empty `notice` with `event` and `data` (a Parley extension) so seed 000's page code works here too.
 * `fileLink` turns a stored file URL into an absolute link for the body.
 */
export function toGuestMessage(m: Message, fileLink?: (url: string) => string, extensions = false): GuestMessage | null {
  if (m.visibility !== 'All') return null;
  let body: string;
  let bodyType: GuestBodyType;
  switch (m.type) {
    case 'Text':
      [body, bodyType] = [m.text ?? '', 'standard'];
      break;
    case 'PushUrl':
      [body, bodyType] = [m.url ?? m.text ?? '', 'standard'];
      break;
    case 'File': {
      const c = m.content?.[0];
      const name = c?.name ?? m.text ?? 'file';
      [body, bodyType] = [c && fileLink ? `${name} ${fileLink(c.url)}` : name, 'standard'];
      break;
    }
    case 'Notice':
      if (m.text === undefined || (m.event !== undefined && m.subtype === 'UiEvent')) return null;
      [body, bodyType] = [m.text, 'notice'];
      break;
    case 'ParticipantJoined':
      [body, bodyType] = ['', 'member-join'];
      break;
    case 'ParticipantLeft':
      [body, bodyType] = ['', 'member-leave'];
      break;
    case 'System':
      if (!extensions || m.event !== 'InteractionStateChange' || !m.data) return null;
      return { id: m.id, conversation: { id: m.sessionId }, sender: { id: m.from.participantId }, body: '', bodyType: 'notice', timestamp: m.utcTime, event: m.event, data: m.data };
    default:
      return null;
  }
  const message: GuestMessage = { id: m.id, conversation: { id: m.sessionId }, sender: { id: m.from.participantId }, body, bodyType, timestamp: m.utcTime };
  // Rich content (docs/rich-messages.md) rides along as `data.rich`; guest chat clients show `body`.
  if (m.type === 'Text' && m.data?.rich) message.data = { rich: m.data.rich };
  return message;
}

export const topicOf = (conversationId: string, kind: 'messages' | 'members') => `v2.conversations.chats.${conversationId}.${kind}`;

export const HEARTBEAT_FRAME: GuestFrame = { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } };

/**
 * The stream frames of one log entry for the customer `selfId`: joins and leaves are a
 * member-change (members topic) and a member-join/leave message; others' typing is a
 * typing-indicator; the customer's own messages come back like everyone's.
 */
export function framesOf(m: Message, selfId: string, fileLink?: (url: string) => string, extensions = false): GuestFrame[] {
  if (m.visibility !== 'All') return [];
  const conversation = { id: m.sessionId };
  if (m.type === 'TypingStarted') {
    if (m.from.participantId === selfId) return [];
    return [{ topicName: topicOf(m.sessionId, 'messages'), eventBody: { id: m.id, conversation, sender: { id: m.from.participantId }, timestamp: m.utcTime }, metadata: { type: 'typing-indicator' } }];
  }
  const message = toGuestMessage(m, fileLink, extensions);
  if (!message) return [];
  const frames: GuestFrame[] = [];
  if (m.type === 'ParticipantJoined' || m.type === 'ParticipantLeft') {
    const state: GuestState = m.type === 'ParticipantJoined' ? 'CONNECTED' : 'DISCONNECTED';
    frames.push({ topicName: topicOf(m.sessionId, 'members'), eventBody: { member: { id: m.from.participantId, state }, conversation }, metadata: { type: 'member-change' } });
  }
  frames.push({ topicName: topicOf(m.sessionId, 'messages'), eventBody: message, metadata: { type: 'message' } });
  return frames;
}
