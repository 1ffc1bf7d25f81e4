import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Message } from '@parley/protocol';

/** A stored file link: `/sessions/{sessionId}/images/{fileId}`, with or without a query. */
const FILE_LINK = /^\/sessions\/([0-9a-fA-F-]{36})\/images\/([0-9a-fA-F-]{36})(?:\?.*)?$/;

/**
 * Signed links to uploaded files (`?sig=<expiry>.<mac>`), so `<img src>` works without the client
 * header. The log stores links without a signature; every read signs them afresh, so a link lives
 * `ttlSeconds` after the client last read it and the session's readers always get working ones.
 */
export class FileLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    this.key = createHmac('sha256', secret).update('parley file links').digest();
  }

  private mac(fileId: string, sessionId: string, exp: number): Buffer {
    return createHmac('sha256', this.key).update(`${sessionId}\n${fileId}\n${exp}`).digest();
  }

  sign(fileId: string, sessionId: string): string {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return `${exp}.${this.mac(fileId, sessionId, exp).toString('base64url')}`;
  }

  verify(sig: string, fileId: string, sessionId: string): boolean {
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sig);
    if (!m) return false;
    const exp = Number(m[1]);
    if (exp * 1000 <= this.now()) return false;
    return timingSafeEqual(Buffer.from(m[2]!, 'base64url'), this.mac(fileId, sessionId, exp));
  }

  /** The stored form of a link: no signature. */
  static unsigned(sessionId: string, fileId: string): string {
    return `/sessions/${sessionId}/images/${fileId}`;
  }

  /** `m` with its attachment links signed now (other messages unchanged). */
  fresh(m: Message): Message {
    if (!m.content?.length) return m;
    return {
      ...m,
      content: m.content.map((a) => {
        const link = FILE_LINK.exec(a.url);
        return link ? { ...a, url: `${FileLinks.unsigned(link[1]!, link[2]!)}?sig=${this.sign(link[2]!, link[1]!)}` } : a;
      }),
    };
  }
}
