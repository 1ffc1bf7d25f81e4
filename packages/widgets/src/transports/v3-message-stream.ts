import { GuestEventStream } from './guest-event-stream.js';
import { defineTransport, TransportError, type ReadResult } from './transport.js';

/**
 * Parley's v3 message stream (a Parley server offers it in the start answer, `messageStream`): what
 * the long poll would answer, as `messages` frames over a WebSocket, read through the guest
 * stream's socket class. Built into dist/transports/v3-message-stream.min.js and loaded by the v3
 * transport on first use. `poll` resolves with the next batch; it throws when the socket closes
 * or is refused (the v3 transport then long-polls from what it holds, and tries the socket again later).
 */
export const V3_MESSAGE_STREAM = 'v3-message-stream';

export interface V3MessageStreamConfig {
  /** The transport's dataURL and `headers` (`x-api-key`). */
  base: string;
  headers?: Record<string, string>;
  /** The session: its id and token. */
  session: { sessionId?: string; token?: string };
}

export function createV3MessageStream(cfg: V3MessageStreamConfig) {
  let held: string | undefined;
  const page = typeof location !== 'undefined' ? location.href : 'http://localhost/';
  const { session } = cfg;
  // Beside the messages resource the page reaches (dataURL), whatever path a proxy maps it to.
  const url = new URL(`${cfg.base}/${encodeURIComponent(String(session.sessionId))}/stream`, page).href.replace(/^http/, 'ws');
  const events = new GuestEventStream(
    () => url,
    () => JSON.stringify({ type: 'auth', apiKey: cfg.headers?.['x-api-key'], clientKey: session.token, index: held }),
  );
  const fail = (code: string, message: string) => new TransportError(message, 0, code, { status: { code, message } });
  return {
    /** The next batch; `after`: the last index the client holds, where a (first) socket starts. */
    async poll(after?: string): Promise<ReadResult> {
      if (!events.opened) {
        held = after;
        events.open();
      }
      for (;;) {
        const item = await events.next();
        if (!item) throw fail('ABORTED', 'The request was cancelled.');
        if (item.k === 'down') throw fail('NETWORK_ERROR', 'The message stream closed.');
        if (item.k === 'frame' && item.f.type === 'messages') return { messages: item.f.messages ?? [], chatEnded: !!item.f.chatEnded, response: { status: { code: 'SUCCESS' }, data: item.f } };
      }
    },
    abort: () => events.stop(),
  };
}

defineTransport(V3_MESSAGE_STREAM, createV3MessageStream as any);
