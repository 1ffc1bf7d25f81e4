/**
 * Node 20 has no WebSocket (the guest chat stream): the `ws` one for the page, its instances
 * recorded so that a test can let a page "go away" or drop its stream.
 */
import { WebSocket } from 'ws';

/** The sockets the pages opened and the test has not closed yet. */
export const sockets: WebSocket[] = [];

class RecordingWebSocket extends WebSocket {
  constructor(...a: ConstructorParameters<typeof WebSocket>) {
    super(...a);
    sockets.push(this);
  }
}

/** Makes the recording WebSocket the page's global one. */
export function installRecordingWebSocket(): void {
  (globalThis as any).WebSocket = RecordingWebSocket;
}

/** The page is gone: its sockets close without telling anyone (no reconnect). */
export function closeSocketsSilently(): void {
  for (const s of sockets.splice(0)) {
    s.onclose = null;
    s.onmessage = null;
    s.close();
  }
}
