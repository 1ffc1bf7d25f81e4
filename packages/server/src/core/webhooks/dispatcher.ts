import { WEBHOOK_SIGNATURE_HEADER } from '@parley/protocol';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import type { Webhook, WebhookAttemptOutcome, WebhookDelivery } from '../../ports/store/webhooks.js';
import { newId } from '../ids.js';
import { signWebhook } from './signature.js';

export interface WebhookDispatchOptions {
  /** How often the outbox is looked at when it had nothing due. */
  pollMs: number;
  /** The first retry's delay; each next one doubles, up to `retryMaxMs` (with jitter). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** An event still undelivered this long after it happened is given up (state `dead`; an admin can replay it). */
  giveUpAfterMs: number;
  /** One request's time limit. */
  timeoutMs: number;
  /** Deliveries leased per claim. */
  batch: number;
}

export const defaultWebhookDispatch: WebhookDispatchOptions = { pollMs: 1_000, retryBaseMs: 10_000, retryMaxMs: 600_000, giveUpAfterMs: 72 * 3_600_000, timeoutMs: 10_000, batch: 20 };

/** Error texts kept on a delivery are short and carry no headers (the signature never gets stored or logged). */
const MAX_ERROR_LENGTH = 300;

/**
 * Sends the outbox: on every node, a loop claims due deliveries (leased in the store, so no two
 * nodes send the same row at once; a node that dies mid-send lets its lease run out and another
 * node sends it again: at least once), POSTs each, signed, and records the outcome. Per webhook
 * and session only the oldest pending event is ever claimed, so a receiver sees a session's
 * events in order, each one after the previous was answered with 2xx.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly owner = `node-${newId()}`;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly fetchFn: typeof fetch,
    private readonly options: WebhookDispatchOptions,
    private readonly onError: (msg: string, err: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then(
        (sent) => this.schedule(sent > 0 ? 0 : this.options.pollMs),
        (err) => {
          this.onError('webhook dispatch failed', err);
          this.schedule(this.options.pollMs);
        },
      );
    }, ms);
    this.timer.unref();
  }

  /** One claim and its sends; answers how many were attempted. */
  async pass(): Promise<number> {
    const now = this.clock.now();
    // The lease outlives the longest send, so a live node never loses a row it is still sending.
    const leaseUntil = new Date(now + this.options.timeoutMs * 2 + 5_000).toISOString();
    // The claim is one statement whole in itself (it leases what it takes): no transaction, so the
    // look every node makes each second, mostly finding nothing, is one statement.
    const claimed = await this.store.read((tx) => tx.claimWebhookDeliveries({ nowIso: new Date(now).toISOString(), owner: this.owner, leaseUntil, limit: this.options.batch }));
    if (!claimed.length) return 0;
    const hooks = new Map((await this.store.read((tx) => tx.listWebhooks())).map((w) => [w.id, w]));
    await Promise.all(claimed.map((d) => this.send(d, hooks.get(d.webhookId))));
    return claimed.length;
  }

  private async send(delivery: WebhookDelivery, hook: Webhook | undefined): Promise<void> {
    const outcome = hook ? await this.post(hook, delivery) : { ok: false as const, status: null, error: 'webhook deleted' };
    const atMs = this.clock.now();
    const atIso = new Date(atMs).toISOString();
    const result: WebhookAttemptOutcome = outcome.ok
      ? { delivered: true, atIso, status: outcome.status }
      : {
          delivered: false,
          atIso,
          status: outcome.status,
          error: outcome.error.slice(0, MAX_ERROR_LENGTH),
          nextAttemptAt: new Date(atMs + this.retryDelay(delivery.attempts + 1)).toISOString(),
          dead: !hook || atMs - Date.parse(delivery.createdAt) >= this.options.giveUpAfterMs,
        };
    await this.store.tx((tx) => tx.finishWebhookDelivery(delivery.id, this.owner, result));
  }

  /** Exponential backoff with jitter (half to all of the step), so receivers coming back are not hit by every node at once. */
  retryDelay(attempts: number): number {
    const step = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(step * (0.5 + Math.random() / 2));
  }

  private async post(hook: Webhook, delivery: WebhookDelivery): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    const signature = signWebhook(hook.secret, delivery.payload, Math.floor(this.clock.now() / 1000));
    try {
      const res = await this.fetchFn(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signature,
          'Parley-Event': delivery.eventType,
          'Parley-Event-Id': delivery.eventId,
          'Parley-Delivery': delivery.id,
        },
        body: delivery.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      return { ok: false, status: null, error: e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed') };
    }
  }
}
