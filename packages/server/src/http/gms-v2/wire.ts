import { nameText, SYSTEM_PARTICIPANT_ID, type Message } from '@parley/protocol';
import { z } from 'zod';

/**
 * GMS Chat API v2 wire format (reference §2): form bodies, `alias`/`userId`/`secureKey` on every
 * call, numeric transcript indexes from 1 and numeric participant ids.
 */

const text = (max: number) => z.string().max(max);
/** An empty form field (`transcriptPosition=`) counts as absent. */
const emptyAsAbsent = (v: unknown) => (v === '' ? undefined : v);

export const gmsUserData = z.record(z.string().max(128), z.union([z.string().max(4096), z.number(), z.boolean()]).transform(String));

export const gmsCredentials = z.object({
  alias: z.string({ message: 'alias is required' }).min(1, 'alias is required').max(256),
  userId: z.string({ message: 'userId is required' }).min(1, 'userId is required').max(256),
  secureKey: z.string({ message: 'secureKey is required' }).min(1, 'secureKey is required').max(4096),
});
export type GmsCredentials = z.infer<typeof gmsCredentials>;

export const gmsTranscriptPosition = z.preprocess(emptyAsAbsent, z.coerce.number().int('transcriptPosition must be a whole number').min(0).optional());

export const gmsStartBody = z
  .object({
    nickname: nameText(256).optional(),
    firstName: nameText(256).optional(),
    lastName: nameText(256).optional(),
    emailAddress: nameText(320).optional(),
    subject: text(1024).optional(),
    /** The first message, sent with the request (the reference client sends it empty). */
    text: z.string().optional(),
    userData: z.preprocess(emptyAsAbsent, gmsUserData.optional()),
    // The client sends these empty on the first call; they are ignored.
    alias: z.string().optional(),
    userId: z.string().optional(),
    secureKey: z.string().optional(),
  })
  .passthrough();

export const gmsRefreshBody = gmsCredentials.extend({ transcriptPosition: gmsTranscriptPosition, message: z.string().optional() }).passthrough();

export const gmsSendBody = gmsCredentials
  .extend({
    message: z.string({ message: 'message is required' }),
    /** "any arbitrary type that the user wants to set": accepted, not stored. */
    messageType: z.string().max(128).optional(),
    transcriptPosition: gmsTranscriptPosition,
  })
  .passthrough();

export const gmsTypingBody = gmsCredentials.extend({ message: z.string().optional(), transcriptPosition: gmsTranscriptPosition }).passthrough();

export const gmsNoticeBody = gmsCredentials.extend({ message: z.string().default(''), transcriptPosition: gmsTranscriptPosition }).passthrough();

export const gmsUpdateDataBody = gmsCredentials.extend({ userData: gmsUserData, transcriptPosition: gmsTranscriptPosition }).passthrough();

export const gmsPlainBody = gmsCredentials.extend({ transcriptPosition: gmsTranscriptPosition }).passthrough();

export type GmsSenderType = 'Client' | 'Agent' | 'Supervisor' | 'External';
export type GmsMessageType =
  | 'ParticipantJoined'
  | 'ParticipantLeft'
  | 'Message'
  | 'TypingStarted'
  | 'TypingStopped'
  | 'Notice'
  | 'CustomNotice'
  | 'PushUrl'
  | 'FileUploaded'
  | 'FileDeleted'
  | 'IdleAlert'
  | 'IdleClose'
  /** Parley extension (opt-in): interaction state changes (seed 000), so page code can react on GMS too. */
  | 'System';

export interface GmsMessage {
  from: { nickname: string; participantId: number; type: GmsSenderType };
  index: number;
  type: GmsMessageType;
  text?: string;
  utcTime: number;
  userData?: Record<string, string>;
  event?: string;
  data?: Record<string, unknown>;
}

export interface GmsResponse {
  statusCode: 0;
  alias: string;
  userId: string;
  secureKey: string;
  chatId: string;
  chatEnded: boolean;
  nextPosition: number;
  messages: GmsMessage[];
  userData?: Record<string, string>;
}

export interface GmsErrorResponse {
  statusCode: 2;
  errors: { code: number; advice: string }[];
  chatEnded?: boolean;
}

/** Error codes of `errors[].code`, one per Parley error kind (documented in the README). */
export const GMS_ERROR_CODES: Record<string, number> = {
  INTERNAL_ERROR: 100,
  INVALID_REQUEST: 101,
  INVALID_SESSION: 102,
  NOT_FOUND: 102,
  UNAUTHORIZED: 103,
  FORBIDDEN: 103,
  CONFLICT: 104,
  PAYLOAD_TOO_LARGE: 105,
  UNSUPPORTED_MEDIA_TYPE: 106,
  RATE_LIMITED: 107,
  SERVICE_UNAVAILABLE: 100,
};

const senderType = (t: Message['from']['type']): GmsSenderType => {
  switch (t) {
    case 'Customer':
      return 'Client';
    case 'Agent':
      return 'Agent';
    case 'Supervisor':
      return 'Supervisor';
    default:
      return 'External';
  }
};

/** The id of the file a File message points at (its URL ends in `/images/{fileId}?sig=…`). */
export function fileIdOf(m: Message): string | null {
  const url = m.content?.[0]?.url ?? m.url ?? '';
  const match = /\/images\/([0-9a-fA-F-]{36})(?:\?|$)/.exec(url);
  return match ? match[1]! : null;
}

/**
 * How one log entry shows on GMS, or null when GMS does not show it (data-only UI events; interaction
 * state changes unless the client asked for them with `x-parley-extensions: interaction-state`, as
 * Parley's SDK does, so seed 000's page code works on this transport).
 */
function gmsView(m: Message, extensions: boolean): { type: GmsMessageType; text?: string; userData?: Record<string, string>; event?: string; data?: Record<string, unknown> } | null {
  switch (m.type) {
    case 'System':
      // Opt-in (x-parley-extensions: interaction-state): a GMS client that did not ask never sees it.
      return extensions && m.event === 'InteractionStateChange' && m.data ? { type: 'System', event: m.event, data: m.data } : null;
    case 'Text':
      // Rich content (docs/rich-messages.md) rides along as `data.rich`; GMS clients show `text`.
      return m.data?.rich ? { type: 'Message', text: m.text ?? '', data: { rich: m.data.rich } } : { type: 'Message', text: m.text ?? '' };
    case 'ParticipantJoined':
    case 'ParticipantLeft':
    case 'TypingStarted':
    case 'TypingStopped':
      return m.text !== undefined ? { type: m.type, text: m.text } : { type: m.type };
    case 'PushUrl':
      return { type: 'PushUrl', text: m.url ?? m.text ?? '' };
    case 'File': {
      const c = m.content?.[0];
      const fileId = fileIdOf(m);
      if (!c || !fileId) return null;
      return {
        type: 'FileUploaded',
        text: c.name ?? m.text ?? 'file',
        userData: { 'file-id': fileId, 'file-name': c.name ?? m.text ?? 'file', 'file-size': String(c.size ?? 0), 'file-type': c.mime, 'file-source': 'ucs-chat' },
      };
    }
    case 'Notice': {
      if (m.text === undefined || (m.event !== undefined && m.subtype === 'UiEvent')) return null;
      if (m.subtype === 'IdleAlert') return { type: 'IdleAlert', text: m.text };
      if (m.subtype === 'IdleClose') return { type: 'IdleClose', text: m.text };
      if (m.subtype === 'CustomNotice') return { type: 'CustomNotice', text: m.text };
      return { type: 'Notice', text: m.text };
    }
    default:
      return null;
  }
}

/**
 * The GMS transcript of a session: the customer-visible log (already filtered to visibility All)
 * in log order, numbered 1..n over what GMS shows. Participants are numbered 1, 2, … in order of
 * their first appearance, so both numberings only grow as the log grows and stay stable.
 */
export function gmsTranscript(log: Message[], extensions = false): GmsMessage[] {
  const numbers = new Map<string, number>();
  const out: GmsMessage[] = [];
  for (const m of log) {
    if (m.visibility !== 'All') continue;
    const view = gmsView(m, extensions);
    if (!view) continue;
    let pid = numbers.get(m.from.participantId);
    if (pid === undefined) {
      pid = numbers.size + 1;
      numbers.set(m.from.participantId, pid);
    }
    const nickname = m.from.nickname ?? (m.from.participantId === SYSTEM_PARTICIPANT_ID ? 'System' : '');
    const msg: GmsMessage = { from: { nickname, participantId: pid, type: senderType(m.from.type) }, index: out.length + 1, type: view.type, utcTime: Date.parse(m.utcTime) };
    if (view.text !== undefined) msg.text = view.text;
    if (view.userData) msg.userData = view.userData;
    if (view.event) msg.event = view.event;
    if (view.data) msg.data = view.data;
    out.push(msg);
  }
  return out;
}

const EXTENSIONS: Record<string, string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt'],
};

/** GMS lists allowed upload types as file extensions joined by ':'. */
export function gmsFileTypes(mimes: string[]): string {
  return mimes.flatMap((m) => EXTENSIONS[m] ?? []).join(':');
}
