import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OperationsSnapshot } from '../core/operations-snapshot.js';
import type { WorkCounts } from '../ports/work-counts.js';

/** What the gauges read at scrape time. */
export interface ScrapeSource {
  snapshot(): Promise<OperationsSnapshot>;
  openLongPolls(): number;
  /** The fan-out's readiness (Redis answers; always true in process). */
  fanoutUp(): Promise<boolean>;
  /** How often waiting readers re-read the store: short while Redis is down. */
  fanoutRecheckMs(): number;
  /** The store adapter's counted work (a store built outside the adapters counts none). */
  storeWork(): WorkCounts | undefined;
  /** The fan-out's counted Redis commands (none in process). */
  fanoutWork(): WorkCounts | undefined;
  /** The rate limits' and login lockout's counted Redis commands (none without REDIS_URL). */
  limitsWork(): WorkCounts | undefined;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One node's Prometheus registry: every metric Parley exports, named here and nowhere else. */
export class ParleyMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (long polls included), by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly openSockets = new Gauge({
    name: 'parley_open_sockets',
    help: 'WebSockets open on this node, by transport (agent desktop, guest chat v2 stream)',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly sessionsStarted = new Counter({
    name: 'parley_sessions_started_total',
    help: 'Chat sessions started (committed), by kind (sync, async)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly messagesPersisted = new Counter({
    name: 'parley_messages_persisted_total',
    help: 'Messages written to the session logs (committed), by message type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly storeTxDuration = new Histogram({
    name: 'parley_store_transaction_duration_seconds',
    help: 'Store transaction time (retries included), by outcome',
    labelNames: ['outcome'] as const,
    buckets: STORE_BUCKETS,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'parley_store_errors_total',
    help: 'Store transactions that failed for a store reason (unavailable, or an unexpected error)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly offers = new Counter({ name: 'parley_routing_offers_total', help: 'Interactions offered to an agent', registers: [this.registry] });
  readonly accepts = new Counter({ name: 'parley_routing_accepts_total', help: 'Interactions accepted by an agent (from Queued or Offered)', registers: [this.registry] });
  readonly offerTimeouts = new Counter({ name: 'parley_routing_offer_timeouts_total', help: 'Offers that expired unanswered and went back to the queue', registers: [this.registry] });

  readonly deliveryLag = new Histogram({
    name: 'parley_delivery_lag_seconds',
    help: 'From a message write to its read by a long poll that was waiting for it (fan-out wake-up included)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly fanoutPublished = new Counter({
    name: 'parley_fanout_published_total',
    help: 'Change notifications published (Redis PUBLISH with REDIS_URL, in-process otherwise)',
    registers: [this.registry],
  });
  readonly fanoutPublishErrors = new Counter({ name: 'parley_fanout_publish_errors_total', help: 'Change notifications that could not be published', registers: [this.registry] });
  readonly fanoutDelivered = new Counter({
    name: 'parley_fanout_delivered_total',
    help: "Change notifications handed to this node's waiting readers (long polls, sockets, routing)",
    registers: [this.registry],
  });

  constructor(source: ScrapeSource) {
    collectDefaultMetrics({ register: this.registry });
    const registry = this.registry;
    new Gauge({
      name: 'parley_open_long_polls',
      help: 'Long polls (consumer v3, GMS v2) waiting for messages on this node',
      registers: [registry],
      collect() {
        this.set(source.openLongPolls());
      },
    });
    const countsOf = (name: string, help: string, label: string, read: () => WorkCounts | undefined) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        collect() {
          this.reset();
          for (const [key, n] of read()?.entries() ?? []) this.inc({ [label]: key }, n);
        },
      });
    countsOf(
      'parley_store_work_total',
      'What the store sent its database, by kind: transactions, statements, round_trips (PostgreSQL: every client/server exchange, BEGIN and COMMIT included)',
      'kind',
      () => source.storeWork(),
    );
    countsOf('parley_fanout_commands_total', 'Commands sent to Redis by the fan-out, by command (PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PING...)', 'command', () => source.fanoutWork());
    countsOf('parley_limits_commands_total', 'Commands sent to Redis by the rate limits and the login lockout, by command (EVAL, EVALSHA...)', 'command', () => source.limitsWork());
    new Gauge({
      name: 'parley_fanout_up',
      help: '1 when change notifications reach the other nodes (Redis answers, or a single node without REDIS_URL), else 0',
      registers: [registry],
      async collect() {
        this.set((await source.fanoutUp()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'parley_fanout_recheck_seconds',
      help: 'How often waiting readers re-read the store as a safety net (short while Redis is down; +Inf in process)',
      registers: [registry],
      collect() {
        this.set(source.fanoutRecheckMs() / 1000);
      },
    });
    // One store read per scrape serves the three gauges below.
    // With the store down they are left out (no stale values), and the rest of the scrape still answers.
    let pending: Promise<OperationsSnapshot | null> | null = null;
    const snapshot = () =>
      (pending ??= source
        .snapshot()
        .catch(() => null)
        .finally(() => setTimeout(() => (pending = null), 0)));
    new Gauge({
      name: 'parley_queue_depth',
      help: 'Interactions waiting (Queued or Offered), by queue (all nodes: read from the store)',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const q of (await snapshot())?.queues ?? []) this.set({ queue: q.queue }, q.waiting);
      },
    });
    new Gauge({
      name: 'parley_queue_longest_wait_seconds',
      help: 'Age of the oldest waiting interaction, by queue (all nodes)',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const q of (await snapshot())?.queues ?? []) this.set({ queue: q.queue }, q.longestWaitSeconds);
      },
    });
    new Gauge({
      name: 'parley_agents',
      help: 'Agent profiles by presence (all nodes)',
      labelNames: ['presence'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [presence, count] of Object.entries((await snapshot())?.agentsByPresence ?? {})) this.set({ presence }, count);
      },
    });
  }
}
