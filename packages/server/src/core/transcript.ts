import type { Message } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import type { Mailer } from '../ports/mailer.js';
import type { ChatService } from './chat-service.js';
import type { CustomerViews } from './customer-views.js';
import { ChatError } from './errors.js';

/** E-mails of one session's transcript per node, at most. */
const EMAILS_PER_SESSION = 3;
/** The longest address accepted (RFC 5321's path limit). */
const ADDRESS_MAX = 254;
/** One local part, one domain with a dot, no spaces, quotes, angle brackets or commas (a single recipient). */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const isEmailAddress = (s: string): boolean => s.length <= ADDRESS_MAX && ADDRESS.test(s);

export interface TranscriptLine {
  time: string;
  from: string;
  text: string;
}

export interface Transcript {
  sessionId: string;
  lines: TranscriptLine[];
}

/** `YYYY-MM-DD HH:MM:SS UTC`: one zone for every reader, whatever their own. */
const stamp = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** A customer-visible message as one transcript line; null for those a reader does not need (typing, state changes). */
export function transcriptLine(m: Message): TranscriptLine | null {
  const from = m.from.nickname || (m.from.type === 'Customer' ? 'You' : m.from.type === 'System' ? 'System' : 'Agent');
  const line = (text: string) => ({ time: stamp(m.utcTime), from, text });
  switch (m.type) {
    case 'Text':
    case 'Notice':
      return m.text ? line(m.text) : null;
    case 'PushUrl':
      return line(m.url ?? m.text ?? '');
    case 'File':
      return line(`[file] ${m.content?.map((c) => c.name ?? c.mime).join(', ') ?? ''}`);
    case 'ParticipantJoined':
      return m.from.type === 'Customer' ? null : line(`${from} joined the chat`);
    case 'ParticipantLeft':
      return line(`${from} left the chat`);
    default:
      return null;
  }
}

export function transcriptText(t: Transcript): string {
  return [`Chat transcript ${t.sessionId}`, '', ...t.lines.map((l) => `[${l.time}] ${l.from}: ${l.text}`), ''].join('\n');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A standalone HTML page: every piece of chat text escaped, no script, no link, no remote resource. */
export function transcriptHtml(t: Transcript): string {
  const rows = t.lines.map((l) => `<tr><td class="t">${escapeHtml(l.time)}</td><th>${escapeHtml(l.from)}</th><td>${escapeHtml(l.text).replace(/\n/g, '<br>')}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Chat transcript</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5em}td,th{padding:.25em .5em;vertical-align:top;text-align:left}.t{color:#555;white-space:nowrap}th{white-space:nowrap}td{white-space:pre-wrap;overflow-wrap:anywhere}</style>
</head><body><h1>Chat transcript</h1>
<table>
${rows}
</table>
</body></html>
`;
}

/**
 * The customer's transcript of a session (what they could see of it), as a file to download and,
 * when the deployment has SMTP, by e-mail. Built from text only: chat text is never markup.
 */
export class TranscriptService {
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly chat: ChatService,
    private readonly views: CustomerViews,
    private readonly clock: Clock,
    private readonly mailer: Mailer | null,
  ) {}

  get canEmail(): boolean {
    return this.mailer !== null;
  }

  async build(sessionId: string, participantId: string): Promise<Transcript> {
    await this.chat.customerSession(sessionId, participantId, 'read');
    const log = await this.views.visibleLog(sessionId);
    return { sessionId, lines: log.map(transcriptLine).filter((l): l is TranscriptLine => l !== null) };
  }

  async email(sessionId: string, participantId: string, address: string): Promise<void> {
    if (!this.mailer) throw new ChatError('NOT_FOUND', 'e-mailing transcripts is not configured on this server');
    if (!isEmailAddress(address)) throw new ChatError('INVALID_REQUEST', 'the e-mail address is not valid');
    const transcript = await this.build(sessionId, participantId);
    const count = this.sent.get(sessionId) ?? 0;
    if (count >= EMAILS_PER_SESSION) throw new ChatError('RATE_LIMITED', `a transcript can be e-mailed ${EMAILS_PER_SESSION} times per chat`);
    this.sent.set(sessionId, count + 1);
    if (this.sent.size > 10_000) this.sent.delete(this.sent.keys().next().value!);
    const text = transcriptText(transcript);
    await this.mailer.send({
      to: address,
      subject: 'Your chat transcript',
      text,
      html: transcriptHtml(transcript),
      attachments: [{ filename: `chat-${new Date(this.clock.now()).toISOString().slice(0, 10)}.txt`, content: text, contentType: 'text/plain; charset=utf-8' }],
    });
  }
}
