import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  event: any;
  /** The signature checked here, independently of the server's code: HMAC-SHA256 of "t.body", t within 5 minutes. */
  signatureValid: boolean;
}

/**
 * A webhook receiver on a real port: records every request, answers 200 (or `status`), can go down
 * (its port closed: connection refused) and come back on the same port.
 */
export class WebhookReceiver {
  received: Received[] = [];
  status = 200;
  secret = '';
  /** The receiver's clock (a test that steps the server's clock steps this one too). */
  now: () => number = () => Date.now();
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let event: any = null;
        try {
          event = JSON.parse(body);
        } catch {
          /* recorded as is */
        }
        this.received.push({ headers: req.headers, body, event, signatureValid: this.verify(body, String(req.headers['parley-signature'] ?? '')) });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private verify(body: string, header: string): boolean {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!m || !this.secret) return false;
    if (Math.abs(this.now() / 1000 - Number(m[1])) > 300) return false;
    const expected = createHmac('sha256', this.secret).update(`${m[1]}.${body}`).digest();
    return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
  }

  /** Waits until `pred` holds over what was received. */
  async until(pred: (r: Received[]) => boolean, timeoutMs = 15_000): Promise<Received[]> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > end) throw new Error(`receiver: condition not met; got ${this.received.map((r) => r.event?.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.received;
  }
}
