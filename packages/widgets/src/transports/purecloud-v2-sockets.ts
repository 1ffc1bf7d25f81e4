import { defineTransport, GUEST, TransportError, type RawMessage, type ReadResult, type SessionData, type Transport } from './transport.js';
import { createBody, GuestApi } from './guest-api.js';
import { GuestEventStream } from './guest-event-stream.js';
import { GuestMessages } from './guest-messages.js';

export { createBody } from './guest-api.js';
export type { GuestMember } from './guest-messages.js';

/**
 * Genesys Cloud guest chat v2 (reference §3, `transport.type: 'purecloud-v2-sockets'`): JSON REST
 * (guest-api.ts) and a WebSocket at the create's `eventStreamUri` that pushes messages, member
 * changes and typing (guest-event-stream.ts). Frames are queued as they arrive and turned into
 * messages in order when WebChatService reads them (guest-messages.ts): poll() resolves when there
 * is something to show. The customer's own messages are shown from the stream. A dropped socket is
 * reopened after 2 s and the messages missed meanwhile are read back over REST; heartbeats arrive
 * as `channel.metadata` frames.
 */
type Options = Record<string, any>;

const stopError = () => new TransportError('The request was cancelled.', 0, 'ABORTED', { status: { code: 'ABORTED', message: 'The request was cancelled.' } });
const unsupported = (what: string) => Promise.reject(new TransportError(`This transport doesn't support ${what}.`, 0, 'UNSUPPORTED', `This transport doesn't support ${what}.`));

export function createGuestTransport(config: Options): Transport {
  const pageSize = Math.min(100, Math.max(1, +config.maxMessagePageSize || 100));
  const api = new GuestApi(config.dataURL);
  const stream = new GuestEventStream(() => api.session.eventStreamUri);
  const messages = new GuestMessages(api, pageSize, config.pagination !== false);

  /** Takes a session's keys; everything of the previous one is forgotten. */
  function adopt(d: SessionData): SessionData {
    stream.stop();
    api.session = { conversationId: String(d.conversationId ?? d.id), memberId: String(d.memberId ?? d.member?.id), jwt: d.jwt, eventStreamUri: d.eventStreamUri };
    stream.reset();
    messages.reset();
    return { ...api.session };
  }

  return {
    can: { poll: false, customNotice: false, userData: false, files: false, history: true },
    selfTimed: true,
    async start(info) {
      adopt({});
      const r = await api.call('POST', '', createBody(config, info), false);
      const session = adopt({ conversationId: r.id, memberId: r.member?.id, jwt: r.jwt, eventStreamUri: r.eventStreamUri });
      stream.open();
      return { session, response: r, started: r };
    },
    // the stream opens with the first poll, after the restore read the history (nothing opens if that fails)
    resume: async (data) => adopt(data),
    /** Resolves when the stream brings something to show; rejects once per outage (NETWORK_ERROR). */
    async poll() {
      if (!stream.opened) stream.open();
      if (stream.stopped && !messages.ended) throw stopError();
      const out: RawMessage[] = [];
      while (!messages.ended) {
        const item = out.length && !stream.queued ? undefined : await stream.next();
        if (!item) {
          if (out.length) break;
          throw stopError();
        }
        if (item.k === 'down') {
          if (out.length) {
            stream.unshift(item);
            break;
          }
          throw new TransportError('The chat server could not be reached.', 0, 'NETWORK_ERROR', { status: { code: 'NETWORK_ERROR', message: 'The event stream is closed.' } });
        }
        if (item.k === 'open') {
          // (re)connected: read back what was said while the socket was closed, and say so
          out.push(...(await messages.catchUp().catch(() => [])));
          break;
        }
        stream.heardNow();
        out.push(...(await messages.fromFrame(item.f)));
      }
      return { messages: out, chatEnded: messages.ended, response: {} } as ReadResult;
    },
    async history(count, before) {
      const found = await messages.readHistory(count, before == null ? undefined : (messages.idOf(Number(before)) ?? String(before)));
      return { messages: found, chatEnded: messages.ended, response: {} };
    },
    async send(text) {
      // shown when it comes back on the stream
      return { response: await api.call('POST', api.me() + '/messages', { body: text, bodyType: 'standard' }) };
    },
    async typing(started) {
      return started ? api.call('POST', api.me() + '/typing') : {};
    },
    updateUserData: () => unsupported('updating userData during an active chat session'),
    async leave() {
      const r = await api.call('DELETE', api.me());
      messages.ended = true;
      stream.stop();
      return r;
    },
    upload: () => unsupported('file uploads'),
    fileUrl: (u) => u,
    abort: () => stream.stop(),
  };
}

defineTransport(GUEST, createGuestTransport);
