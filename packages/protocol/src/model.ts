/** The one message model used inside Parley. Wire formats map onto it. */

export const MESSAGE_TYPES = ['Text', 'Notice', 'PushUrl', 'File', 'ParticipantJoined', 'ParticipantLeft', 'TypingStarted', 'TypingStopped', 'System'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const VISIBILITIES = ['All', 'Int', 'Vip'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const PARTICIPANT_TYPES = ['Customer', 'Agent', 'Supervisor', 'External', 'Workflow', 'System'] as const;
export type ParticipantType = (typeof PARTICIPANT_TYPES)[number];

export const INTERACTION_STATES = ['Workflow', 'Queued', 'Offered', 'Handling', 'Finalizing', 'Completed'] as const;
export type InteractionState = (typeof INTERACTION_STATES)[number];

/** The participant id that System messages come from (seed 000). */
export const SYSTEM_PARTICIPANT_ID = '00000000-0000-0000-0000-000000000000';

export interface Attachment {
  type: 'image' | 'file';
  mime: string;
  url: string;
  name?: string;
  size?: number;
}

export interface MessageSender {
  participantId: string;
  type: ParticipantType;
  nickname?: string;
}

export interface Message {
  id: string;
  sessionId: string;
  /** `"<ms>-<seq>"`; numeric order (digits concatenated) equals log order. */
  index: string;
  type: MessageType;
  from: MessageSender;
  visibility: Visibility;
  utcTime: string;
  text?: string;
  url?: string;
  content?: Attachment[];
  event?: string;
  data?: Record<string, unknown>;
  /** Free-form subtype set by workflows (seed 002 `MessageType`, `NoticeType`). */
  subtype?: string;
  interactionId?: string;
  /** For a Vip whisper: the account of the agent it is addressed to. */
  audienceAccountId?: string;
}

/** Which visibilities a reader of a given kind may see. Enforced on every read path. */
export function visibleTo(reader: ParticipantType): Visibility[] {
  switch (reader) {
    case 'Supervisor':
      return ['All', 'Int', 'Vip'];
    case 'Agent':
    case 'Workflow':
      return ['All', 'Int'];
    default:
      return ['All'];
  }
}
