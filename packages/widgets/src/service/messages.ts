import type { RawMessage } from '../transports/transport.js';

/**
 * Normalised messages, as WebChatService.messageReceived carries them (reference §1): `Text` becomes
 * `Message`, `File` becomes `FileUploaded`; `from` becomes {name, type ('Customer' -> 'Client'),
 * participantId}; `index` loses its '-' and is a number; `timestamp` is `utcTime`. Attachment
 * URLs are made absolute with the transport's fileUrl.
 */
export interface ChatMessage {
  type: string;
  text?: string;
  index: number;
  id?: string;
  timestamp?: string | number;
  from: { name: string; type: string; participantId?: string };
  url?: string;
  content?: { type?: string; mime?: string; url?: string; name?: string; size?: number }[];
  event?: string;
  data?: Record<string, any>;
  [k: string]: unknown;
}

const TYPES: Record<string, string> = { Text: 'Message', File: 'FileUploaded' };

export const indexNum = (i: unknown): number => (typeof i === 'number' ? i : Number(String(i).replace(/-/g, '')));

export function normalize(r: RawMessage, fileUrl: (u: string) => string = (u) => u): ChatMessage {
  const f = r.from ?? {};
  const m: ChatMessage = {
    type: TYPES[r.type] ?? r.type,
    text: r.text,
    index: indexNum(r.index),
    id: r.id,
    timestamp: r.utcTime,
    from: { name: f.nickname || f.firstName || '', type: f.type === 'Customer' ? 'Client' : f.type || 'System', participantId: f.participantId },
  };
  if (r.url) m.url = r.url;
  if (r.content) {
    m.content = r.content.map((c) => ({ ...c, url: c.url && fileUrl(c.url) }));
    m.text ??= r.content[0]?.name;
  }
  if (r.event) {
    m.event = r.event;
    m.data = r.data;
  }
  return m;
}
