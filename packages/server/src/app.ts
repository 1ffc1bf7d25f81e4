import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Config } from './config.js';
import { ChatService, defaultLimits } from './core/chat-service.js';
import { DomainEvents } from './core/domain-events.js';
import { LogWriter } from './core/log-writer.js';
import { randomToken } from './core/secrets.js';
import { WriteNotes } from './core/write-notes.js';
import { TokenService } from './core/tokens.js';
import { StaffAuth } from './core/staff-auth.js';
import { MemoryLoginThrottle, defaultLoginThrottle } from './core/login-throttle.js';
import { RedisLoginThrottle } from './adapters/login-throttle-redis.js';
import { connectLimitsRedis } from './adapters/limits-redis.js';
import { sharedRateLimitStore } from './adapters/rate-limits-redis.js';
import { WorkCounts } from './ports/work-counts.js';
import { FileLinks } from './core/file-links.js';
import { AgentViews } from './core/agent-views.js';
import { CustomerViews } from './core/customer-views.js';
import { AvailabilityService } from './core/availability.js';
import { OfflineMessageService } from './core/offline-messages.js';
import { SurveyService } from './core/survey-service.js';
import { TranscriptService } from './core/transcript.js';
import { smtpMailer } from './adapters/mailer-smtp.js';
import { DeploymentAccess } from './core/deployment-access.js';
import { DirectoryCache } from './core/directory-cache.js';
import { WebhookSubscriptions } from './core/webhooks/subscriptions.js';
import { Authenticator } from './core/request-context.js';
import { SqliteStore } from './adapters/store-sqlite/index.js';
import { MemoryFanout } from './adapters/fanout-memory.js';
import { DiskFileStore } from './adapters/files-disk.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Fanout } from './ports/fanout.js';
import type { FileStore } from './ports/file-store.js';
import type { Store } from './ports/store.js';
import { registerCors } from './http/cors.js';
import { registerRequestContext } from './http/request-context.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerInputGuard } from './http/input-guard.js';
import { RequestLogLevels, chooseLogFormat, loggerOptions } from './logging.js';
import { OpenApiRegistry } from './http/openapi.js';
import { registerConsumerV3 } from './http/consumer-v3/routes.js';
import { registerConsumerV3Stream } from './http/consumer-v3/stream.js';
import { GMS_V2_PREFIX, gmsErrorReply, registerGmsV2 } from './http/gms-v2/routes.js';
import { GUEST_V2_PREFIX, guestErrorReply, registerGuestV2 } from './http/guest-v2/routes.js';
import { registerBodyParsing } from './http/body-parsing.js';
import { registerApiErrors } from './http/api-errors.js';
import { trailingSlashRewriter } from './http/trailing-slash.js';
import { registerAgentApi } from './http/agent/routes.js';
import { ConversationSearch } from './core/conversation-search.js';
import { ContactService } from './core/contact-service.js';
import { DayReports } from './core/day-report.js';
import { registerAgentEvents } from './http/agent/events.js';
import { registerStaffSso } from './http/sso/routes.js';
import { StaffSso } from './core/sso.js';
import { OpenIdProvider } from './adapters/oidc-provider.js';
import { ADMIN_PREFIX, adminApi } from './http/admin/routes.js';
import { AdminService } from './core/admin-service.js';
import { RoutingService } from './core/routing-service.js';
import { PresenceWatch } from './core/presence-watch.js';
import { SupervisionService } from './core/supervision.js';
import { IdleControl } from './core/idle-control.js';
import { FlowEngine } from './flows/engine.js';
import { WORKFLOW_PREFIX, workflowApi } from './http/workflow/routes.js';
import { WorkflowService } from './core/workflow-service.js';
import { TicketService } from './core/ticket-service.js';
import { ensureDemo, type DemoCredentials } from './demo.js';
import { ParleyMetrics } from './metrics/registry.js';
import { meteredStore } from './metrics/metered-store.js';
import { meteredFanout } from './metrics/metered-fanout.js';
import { registerMetrics } from './http/metrics.js';
import { operationsSnapshot } from './core/operations-snapshot.js';
import { WebhookDispatcher } from './core/webhooks/dispatcher.js';
import { AuditTrail } from './core/audit-trail.js';
import { registerAuditTrail } from './http/audit.js';
import { CustomerData } from './core/customer-data.js';
import { Leadership } from './core/leadership.js';
import { RetentionJob } from './core/retention-job.js';

export interface Parley {
  app: FastifyInstance;
  store: Store;
  fanout: Fanout;
  chat: ChatService;
  /** The domain events the log writer publishes after each commit (subscribe with `events.on`). */
  events: DomainEvents;
  routing: RoutingService;
  /** Whether this node runs the periodic passes (routing, idle control, queue updates) now. */
  leadership: Leadership;
  presence: PresenceWatch;
  supervision: SupervisionService;
  flows: FlowEngine;
  idle: IdleControl;
  tokens: TokenService;
  auth: StaffAuth;
  /** Deployments and accounts as requests see them; `changed()` after writing them to the store directly. */
  directory: DirectoryCache;
  /** Authentication of every API and socket (core/request-context.ts). */
  authn: Authenticator;
  demo: DemoCredentials | null;
  /** Every route the server answers (method and URL pattern), as registered; the authorization matrix test walks it. */
  routes: RouteEntry[];
  /** The scheduled retention run (tests call `runOnce`). */
  retention: RetentionJob;
  /** This node's sender of the webhook outbox (tests call `pass`). */
  webhooks: WebhookDispatcher;
  /** This node's Prometheus registry (served at `/metrics` with METRICS_TOKEN). */
  metrics: ParleyMetrics;
  /** The Redis commands of the rate limits and the login lockout (none without REDIS_URL). */
  limitsWork: WorkCounts;
  /** Readiness as `GET /ready` reports it. */
  readiness(): Promise<Readiness>;
  /**
   * Graceful shutdown: `/ready` answers 503 at once; after `drainDelayMs` (default 0; the load
   * balancer's time to notice) routing stops, waiting long polls answer, sockets get close code
   * 1012 (service restart), in-flight requests finish (connections still busy after 5 s are cut),
   * and the store and fan-out close.
   */
  close(opts?: { drainDelayMs?: number }): Promise<void>;
}

export interface RouteEntry {
  method: string;
  url: string;
  websocket: boolean;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

/** WebSocket close code 1012 "service restart": the client reconnects (to another node). */
export const WS_CLOSE_SERVICE_RESTART = 1012;
const READY_STORE_TIMEOUT_MS = 2_000;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const widgetsDist = join(repoRoot, 'packages/widgets/dist');
const demoPage = join(repoRoot, 'packages/widgets/demo');
const desktopDist = join(repoRoot, 'packages/desktop/dist');

export async function createStore(config: Config): Promise<Store> {
  const url = config.DATABASE_URL;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length) || './data/parley.db';
    return new SqliteStore(file === ':memory:' ? file : resolve(file));
  }
  const { PostgresStore } = await import('./adapters/store-postgres/index.js');
  return PostgresStore.connect(url, { max: config.DATABASE_POOL_SIZE, idleMs: config.DATABASE_POOL_IDLE_SECONDS * 1000 });
}

/** A store that can keep uploaded files itself (PostgresStore). */
interface StoreWithFiles {
  fileStore(): FileStore;
}
const keepsFiles = (store: Store): store is Store & StoreWithFiles => typeof (store as Partial<StoreWithFiles>).fileStore === 'function';

/** FILE_STORE: the disk, the PostgreSQL store's own tables, or an S3-compatible bucket. */
export async function createFileStore(config: Config, store: Store): Promise<FileStore> {
  const choice = config.FILE_STORE === 'auto' ? (keepsFiles(store) ? 'database' : 'disk') : config.FILE_STORE;
  if (choice === 'disk') return new DiskFileStore(join(resolve(config.PARLEY_DATA_DIR), 'files'));
  if (choice === 'database') {
    if (!keepsFiles(store)) throw new ConfigError('invalid configuration:\n  FILE_STORE: database needs a postgres:// DATABASE_URL (with SQLite use disk or s3)');
    return store.fileStore();
  }
  const { S3FileStore } = await import('./adapters/files-s3.js');
  return new S3FileStore({
    bucket: config.S3_BUCKET!,
    prefix: config.S3_PREFIX,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } } : {}),
  });
}

export async function createFanout(config: Config): Promise<Fanout> {
  if (!config.REDIS_URL) return new MemoryFanout();
  const { RedisFanout } = await import('./adapters/fanout-redis.js');
  return RedisFanout.connect(config.REDIS_URL);
}

/** Staff single sign-on from the SSO_* settings (SSO_ISSUER set). */
function createStaffSso(config: Config, store: Store, auth: StaffAuth, clock: Clock, secret: string): StaffSso {
  const provider = new OpenIdProvider({
    issuer: config.SSO_ISSUER!,
    clientId: config.SSO_CLIENT_ID!,
    scopes: config.SSO_SCOPES,
    ...(config.SSO_CLIENT_SECRET ? { clientSecret: config.SSO_CLIENT_SECRET } : {}),
  });
  return new StaffSso(
    store,
    auth,
    provider,
    {
      roleClaim: config.SSO_ROLE_CLAIM,
      roleMap: config.SSO_ROLE_MAP,
      usernameClaim: config.SSO_USERNAME_CLAIM,
      linkByUsername: config.SSO_LINK_BY_USERNAME,
      label: config.SSO_LABEL,
      ...(config.SSO_DEFAULT_ROLE ? { defaultRole: config.SSO_DEFAULT_ROLE } : {}),
    },
    clock,
    secret,
  );
}

/** Wires adapters, core and HTTP APIs into one server. Does not listen. */
export interface BuildOptions {
  clock?: Clock;
  store?: Store;
  fanout?: Fanout;
  routeEveryMs?: number;
  /** Idle control and queue-position updates; tests drive them by hand with 0. */
  sweepEveryMs?: number;
  /** How the flow engine calls external bots. */
  fetch?: typeof fetch;
  /** Where the log goes (default: stdout), in LOG_FORMAT (`auto` is JSON here). */
  logStream?: NodeJS.WritableStream;
}

export async function buildParley(config: Config, opts: BuildOptions = {}): Promise<Parley> {
  const clock = opts.clock ?? systemClock;
  // Read at scrape time, once everything below exists.
  const metrics = new ParleyMetrics({
    snapshot: () => operationsSnapshot(store, clock.now()),
    openLongPolls: () => chat.openLongPolls,
    fanoutUp: () => fanout.ping(),
    fanoutRecheckMs: () => fanout.recheckMs,
    storeWork: () => store.work,
    fanoutWork: () => fanout.work,
    limitsWork: () => (limitsRedis ? limitsWork : undefined),
  });
  const rawStore = opts.store ?? (await createStore(config));
  const store = meteredStore(rawStore, metrics);
  const nodeFanout = opts.fanout ?? (await createFanout(config));
  const fanout = meteredFanout(nodeFanout, metrics);
  const secret =
    config.PARLEY_SECRET ??
    (await store.tx(async (tx) => {
      const existing = await tx.getSetting('token.secret');
      if (existing) return existing;
      // Nodes starting together on an empty database must not each make their own: the operation
      // record is unique, so of two such transactions the later fails on it, is run again by the
      // store once the first has committed, and then finds the first one's secret.
      if ((await tx.getOperation('settings', 'token.secret')) === null) await tx.putOperation('settings', 'token.secret', 'generated', new Date(clock.now()).toISOString());
      const fresh = randomToken(48);
      await tx.putSetting('token.secret', fresh);
      return fresh;
    }));
  const tokens = new TokenService(secret, config.STAFF_TOKEN_TTL_SECONDS, { clientTokenTtlSeconds: config.CLIENT_TOKEN_TTL_SECONDS, now: () => clock.now() });
  // With REDIS_URL, rate limits and the login lockout are counted in Redis, shared by every node.
  const limitsWork = new WorkCounts();
  const limitsRedis = config.REDIS_URL ? await connectLimitsRedis(config.REDIS_URL, limitsWork) : null;
  const throttleOptions = { ...defaultLoginThrottle, freeFailures: config.LOGIN_LOCKOUT_AFTER, maxLockMs: config.LOGIN_LOCKOUT_MAX_SECONDS * 1000 };
  const auth = new StaffAuth(
    store,
    fanout,
    tokens,
    clock,
    limitsRedis
      ? new RedisLoginThrottle(limitsRedis, throttleOptions, config.REDIS_KEY_PREFIX, (err) => app.log.warn({ err }, 'login lockout: Redis not answering, counting on this node'))
      : new MemoryLoginThrottle(throttleOptions),
  );
  const directory = new DirectoryCache(store, fanout, clock, config.AUTH_CACHE_MS);
  const authn = new Authenticator(directory, tokens);
  const fileLinks = new FileLinks(secret, config.FILE_LINK_TTL_SECONDS, () => clock.now());
  const events = new DomainEvents();
  // Several nodes (a fan-out across processes): a write's notification carries what it appended, so
  // the other nodes' readers need not read it back from the store.
  const webhookSubscriptions = new WebhookSubscriptions(fanout, clock, config.AUTH_CACHE_MS);
  const writer = new LogWriter(store, fanout, clock, events, nodeFanout instanceof MemoryFanout ? null : new WriteNotes(secret), webhookSubscriptions);
  const chat = new ChatService(store, fanout, clock, writer, { ...defaultLimits, maxMessageLength: config.MAX_MESSAGE_LENGTH }, fileLinks);
  const presence = new PresenceWatch(store, clock, { graceMs: config.AGENT_DISCONNECT_GRACE_SECONDS * 1000, handlingGraceMs: config.AGENT_HANDLING_GRACE_SECONDS * 1000 });
  const routing = new RoutingService(store, fanout, clock, writer, presence);
  routing.onOffersExpired = (count) => metrics.offerTimeouts.inc(count);
  chat.onWaitedDelivery = (lagMs) => metrics.deliveryLag.observe(lagMs / 1000);
  const supervision = new SupervisionService(store, writer, clock);
  const demo = config.PARLEY_DEMO ? await ensureDemo(store, config, clock) : null;
  const idle = new IdleControl(store, clock, writer);
  const deployments = new DeploymentAccess(store, clock, directory);
  const files = await createFileStore(config, rawStore);

  const app = Fastify({
    logger: loggerOptions({
      level: config.LOG_LEVEL,
      format: chooseLogFormat(config.LOG_FORMAT, opts.logStream ? false : Boolean(process.stdout.isTTY)),
      ...(opts.logStream ? { stream: opts.logStream } : { colorize: Boolean(process.stdout.isTTY) }),
    }),
    logController: new RequestLogLevels(),
    bodyLimit: 256 * 1024,
    rewriteUrl: trailingSlashRewriter([config.CONSUMER_V3_PREFIX, GMS_V2_PREFIX, GUEST_V2_PREFIX, '/agent/v1', ADMIN_PREFIX, WORKFLOW_PREFIX]),
    // Proxy headers count only from the proxies the operator names: otherwise anyone could claim any
    // address and get a fresh rate limit with each request.
    trustProxy: typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    // A client gets a bounded time to send its headers and its whole request (a trickled body is cut
    // with 408); answering may take longer (long polls). Idle keep-alive connections close.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout: config.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1_000, config.HEADERS_TIMEOUT_MS) },
    // 'idle': keep-alive sockets close at once; in-flight requests (long polls, woken by stopWaiting) finish first.
    forceCloseConnections: 'idle',
  });
  registerRequestContext(app);
  registerSecurityHeaders(app, { desktopPrefix: '/desktop/', demoPage: join(demoPage, 'index.html'), widgetsPrefix: '/widgets/' });
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, websocket: Boolean((r as { websocket?: boolean }).websocket) });
  });
  const flows = new FlowEngine(
    store,
    clock,
    writer,
    routing,
    chat.limits.maxMessageLength,
    opts.fetch ?? fetch,
    (msg, err) => app.log.warn({ err }, msg),
    (id) => directory.deployment(id),
  );
  flows.attach(events);
  events.onHandlerError = (err, event) => app.log.error({ err, event: event.type, sessionId: event.sessionId }, 'domain event handler failed');
  chat.onCursorMoveError = (err) => app.log.error({ err }, 'delivery cursor move failed');
  registerBodyParsing(app);
  registerApiErrors(app, [
    { prefix: GMS_V2_PREFIX, reply: gmsErrorReply },
    { prefix: GUEST_V2_PREFIX, reply: guestErrorReply },
  ]);
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1 } });
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
    // On close, every socket is told the service restarts (1012), so clients reconnect elsewhere.
    preClose(done) {
      const server = this.websocketServer;
      for (const client of server.clients) client.close(WS_CLOSE_SERVICE_RESTART, 'server shutting down; reconnect');
      server.close(() => done());
    },
  });
  // Limits per client address; routes that need tighter ones (start, login) set their own. Shared by
  // every node with REDIS_URL: the default limit in batches (no Redis command on a request's path),
  // a route's own limit exactly; while Redis does not answer, a route's own limit lets requests
  // through (limiting nobody rather than refusing everybody) and the default one counts on the node.
  const sharedLimits = limitsRedis
    ? sharedRateLimitStore(limitsRedis, `${config.REDIS_KEY_PREFIX}rate:`, {
        syncMs: config.RATE_LIMIT_SYNC_MS,
        now: () => clock.now(),
        onError: (err) => app.log.warn({ err }, 'rate limits: Redis not answering, counting on this node'),
      })
    : null;
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    ...(sharedLimits ? { store: sharedLimits.Store, skipOnError: true } : {}),
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, status: { code: 'RATE_LIMITED', message: `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s` } }),
  });

  registerMetrics(app, {
    metrics,
    token: config.METRICS_TOKEN,
    socketRoutes: { '/agent/v1/events': 'agent', [`${GUEST_V2_PREFIX}/:conversationId/stream`]: 'guest', [`${config.CONSUMER_V3_PREFIX}/:sessionId/stream`]: 'v3' },
  });
  const openapi = new OpenApiRegistry();
  const audit = new AuditTrail(store, clock);
  registerAuditTrail(app, audit);
  const customers = new CustomerData(store, files, clock);
  const retention = new RetentionJob(store, clock, customers, audit, config.RETENTION_EVERY_MINUTES * 60_000, config.WEBHOOK_KEEP_DAYS, config.OPERATION_KEEP_HOURS, (msg, err) =>
    app.log.error({ err }, msg),
  );
  const agentViews = new AgentViews(store);
  registerInputGuard(app);
  registerCors(app, deployments, [config.CONSUMER_V3_PREFIX, GMS_V2_PREFIX, GUEST_V2_PREFIX]);
  const customerViews = new CustomerViews(store, chat);
  const mailer = config.SMTP_HOST
    ? smtpMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, password: config.SMTP_PASSWORD, from: config.SMTP_FROM })
    : null;
  const availability = new AvailabilityService(store, clock);
  const surveys = new SurveyService(store, chat, clock);
  registerConsumerV3(app, {
    chat,
    deployments,
    tokens,
    authn,
    files,
    fileLinks,
    openapi,
    prefix: config.CONSUMER_V3_PREFIX,
    longPollMs: config.LONG_POLL_MS,
    messageStream: config.V3_MESSAGE_STREAM,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTypes: config.UPLOAD_TYPES,
    queuePosition: (sessionId) => routing.queuePosition(sessionId),
    startLimitPerMinute: config.START_LIMIT_PER_MINUTE,
    endOfChat: {
      availability,
      offlineMessages: new OfflineMessageService(chat),
      surveys,
      transcripts: new TranscriptService(chat, customerViews, clock, mailer),
      transcriptEmailLimitPerMinute: config.TRANSCRIPT_EMAIL_LIMIT_PER_MINUTE,
    },
  });
  if (config.V3_MESSAGE_STREAM) {
    registerConsumerV3Stream(app, { chat, deployments, authn, fanout, openapi, prefix: config.CONSUMER_V3_PREFIX, heartbeatMs: config.V3_STREAM_HEARTBEAT_MS, clock });
  }
  registerGmsV2(app, {
    chat,
    deployments,
    tokens,
    authn,
    files,
    openapi,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTypes: config.UPLOAD_TYPES,
    startLimitPerMinute: config.START_LIMIT_PER_MINUTE,
  });
  registerGuestV2(app, {
    chat,
    deployments,
    views: customerViews,
    tokens,
    authn,
    fanout,
    openapi,
    startLimitPerMinute: config.START_LIMIT_PER_MINUTE,
    heartbeatMs: config.GUEST_HEARTBEAT_MS,
    fileBase: config.CONSUMER_V3_PREFIX.replace(/\/sessions$/, ''),
  });
  registerAgentApi(app, {
    chat,
    routing,
    supervision,
    surveys,
    views: agentViews,
    search: new ConversationSearch(store),
    contacts: new ContactService(store, chat, clock),
    reports: new DayReports(store),
    auth,
    authn,
    openapi,
    longPollMs: config.LONG_POLL_MS,
    loginLimitPerMinute: config.LOGIN_LIMIT_PER_MINUTE,
    files,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTypes: config.UPLOAD_TYPES,
  });
  registerStaffSso(app, {
    sso: config.SSO_ISSUER ? createStaffSso(config, store, auth, clock, secret) : null,
    openapi,
    desktopPath: '/desktop/',
    loginLimitPerMinute: config.LOGIN_LIMIT_PER_MINUTE,
    ...(config.SSO_REDIRECT_URI ? { redirectUri: config.SSO_REDIRECT_URI } : {}),
  });
  registerAgentEvents(app, { chat, routing, supervision, views: agentViews, authn, fanout, clock, presence, pingMs: config.AGENT_SOCKET_PING_MS });
  await app.register(adminApi, { prefix: ADMIN_PREFIX, admin: new AdminService(store, auth, clock, fanout, audit, customers), authn, openapi });
  await app.register(workflowApi, { prefix: WORKFLOW_PREFIX, workflows: new WorkflowService(store, chat, flows, 'parley'), tickets: new TicketService(store, flows), authn, openapi });
  const webhooks = new WebhookDispatcher(
    store,
    clock,
    opts.fetch ?? fetch,
    {
      pollMs: config.WEBHOOK_POLL_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
      giveUpAfterMs: config.WEBHOOK_GIVE_UP_HOURS * 3_600_000,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      batch: 20,
    },
    (msg, err) => app.log.warn({ err }, msg),
  );
  // One node runs the periodic passes that every node would run alike (core/leadership.ts).
  const leadership = new Leadership(store, clock);
  routing.start(opts.routeEveryMs ?? 500, leadership);
  webhooks.start();
  retention.start();
  presence.start();
  const sweepEvery = opts.sweepEveryMs ?? 5_000;
  let queueUpdates: NodeJS.Timeout | null = null;
  if (sweepEvery > 0) {
    idle.start(sweepEvery, leadership);
    const updateQueues = async () => (await leadership.leads()) && (await flows.sendQueueUpdates());
    queueUpdates = setInterval(() => void updateQueues().catch((err) => app.log.warn({ err }, 'queue updates failed')), sweepEvery * 2);
    queueUpdates.unref();
  }

  app.get('/health', { config: { rateLimit: false } }, async () => {
    await store.tx((tx) => tx.getSetting('token.secret'));
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  });
  let draining = false;
  const readiness = async (): Promise<Readiness> => {
    if (draining) return { ready: false, reason: 'shutting down' };
    const storeUp = await withTimeout(
      store
        .tx((tx) => tx.getSetting('token.secret'))
        .then(
          () => true,
          () => false,
        ),
      READY_STORE_TIMEOUT_MS,
      false,
    );
    if (!storeUp) return { ready: false, reason: 'store not answering' };
    if (!(await fanout.ping().catch(() => false))) return { ready: false, reason: 'fan-out (Redis) not answering' };
    if (draining) return { ready: false, reason: 'shutting down' };
    return { ready: true };
  };
  // Readiness for load balancers: 503 when this node should get no traffic.
  app.get('/ready', { config: { rateLimit: false } }, async (_req, reply) => {
    const r = await readiness();
    if (r.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', reason: r.reason });
  });
  app.get('/openapi.json', async () => openapi.document());
  if (demo) {
    app.get('/demo/config.json', async () => ({ apiKey: demo.apiKey, dataURL: config.CONSUMER_V3_PREFIX, deploymentId: demo.deploymentId }));
  }

  if (existsSync(desktopDist)) await app.register(fastifyStatic, { root: desktopDist, prefix: '/desktop/', index: 'index.html', decorateReply: false });
  if (existsSync(widgetsDist)) await app.register(fastifyStatic, { root: widgetsDist, prefix: '/widgets/', decorateReply: false });
  if (existsSync(demoPage)) await app.register(fastifyStatic, { root: demoPage, prefix: '/', index: 'index.html', decorateReply: false });

  return {
    app,
    store,
    fanout,
    chat,
    events,
    routing,
    leadership,
    presence,
    supervision,
    flows,
    idle,
    tokens,
    auth,
    directory,
    authn,
    demo,
    routes,
    retention,
    webhooks,
    metrics,
    limitsWork,
    readiness,
    async close(opts = {}) {
      draining = true;
      if (opts.drainDelayMs) await new Promise((resolve) => setTimeout(resolve, opts.drainDelayMs));
      idle.stop();
      if (queueUpdates) clearInterval(queueUpdates);
      presence.stop();
      await webhooks.stop();
      await retention.stop();
      await routing.stop();
      await flows.settled();
      chat.stopWaiting();
      // Requests still running after the grace (a client that never reads its answer, a handler
      // stuck behind a dead peer) would hold the close forever: their connections are cut.
      const closed = app.close();
      if (
        (await withTimeout(
          closed.then(() => true),
          CLOSE_GRACE_MS,
          false,
        )) === false
      ) {
        app.log.warn({ graceMs: CLOSE_GRACE_MS }, 'requests still running at shutdown: closing their connections');
        app.server.closeAllConnections();
        await closed;
      }
      directory.close();
      webhookSubscriptions.close();
      files.close?.();
      sharedLimits?.counts.close();
      limitsRedis?.disconnect();
      mailer?.close();
      await fanout.close();
      await store.close();
    },
  };
}

/** How long a shutdown waits for requests in flight (long polls are answered at once) before cutting connections. */
const CLOSE_GRACE_MS = 5_000;

/** Fastify's hop-count trust: the nearest `hops` proxies are believed. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]).finally(() => clearTimeout(timer));
}
