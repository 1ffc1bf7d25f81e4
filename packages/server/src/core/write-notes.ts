import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Message } from '@parley/protocol';
import type { LocalWrite } from './session-versions.js';

/** A note longer than this (UTF-16 units) is not sent: the other nodes' readers read the store instead. */
export const MAX_WRITE_NOTE_LENGTH = 32 * 1024;
/** An HMAC-SHA256 in base64url. */
const MAC_LENGTH = 43;

/**
 * What a committed write appended to a session's log, as the data of the write's fan-out
 * notification: a reader waiting on another node answers from it instead of reading the store, under
 * the same check as for its own node's writes (the writes must follow on from the log head the reader
 * knows, and change nobody's access). Signed with a key derived from the server secret, so data that
 * no node wrote is never served; a note that does not verify is ignored (the reader reads the store).
 */
export class WriteNotes {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`parley write notes\n${secret}`).digest();
  }

  /** The note of `write`, or undefined when it is too long to send. */
  encode(write: LocalWrite): string | undefined {
    const body = JSON.stringify({ s: write.sessionId, f: write.fromNum, t: write.toNum, a: write.changedAccess, m: write.messages });
    if (body.length > MAX_WRITE_NOTE_LENGTH) return undefined;
    return this.mac(body) + body;
  }

  /** The write a note of this session stands for, or null (not signed here, not this session's, malformed). */
  decode(note: string, sessionId: string): LocalWrite | null {
    if (note.length <= MAC_LENGTH || note.length > MAC_LENGTH + MAX_WRITE_NOTE_LENGTH) return null;
    const body = note.slice(MAC_LENGTH);
    const given = Buffer.from(note.slice(0, MAC_LENGTH));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const o = JSON.parse(body) as { s?: unknown; f?: unknown; t?: unknown; a?: unknown; m?: unknown };
      if (o.s !== sessionId || !Number.isSafeInteger(o.f) || !Number.isSafeInteger(o.t) || typeof o.a !== 'boolean' || !Array.isArray(o.m)) return null;
      return { sessionId, fromNum: o.f as number, toNum: o.t as number, changedAccess: o.a, messages: o.m as Message[] };
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
