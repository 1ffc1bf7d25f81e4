import { isIP } from 'node:net';
import { z } from 'zod';

/** Fastify's `trustProxy`: false, a hop count, or the addresses/CIDRs of the proxies in front. */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [ip, bits, ...rest] = entry.split('/');
  if (rest.length || !ip) return false;
  const family = isIP(ip);
  if (!family) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * All configuration, from environment variables, overridden by CLI flags (`--port 9000` or
 * `--port=9000`; a flag's name is the variable's name in lower case with '-' for '_').
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/parley.db')
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
      message: 'must start with sqlite: (a file path or :memory:) or postgres://',
    }),
  /** PostgreSQL connections per node (the pool's maximum). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * How long a pooled PostgreSQL connection may sit unused before it is closed (0: never). Long, so
   * a node whose load comes in bursts does not reconnect (a new backend, every statement prepared
   * again) at each burst.
   */
  DATABASE_POOL_IDLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  REDIS_URL: z
    .string()
    .refine((v) => v.startsWith('redis://') || v.startsWith('rediss://'), { message: 'must start with redis:// or rediss://' })
    .optional(),
  /** Prefix of the keys Parley keeps in Redis (shared rate limits and login lockout); lets deployments share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 letters, digits or : _ . -')
    .default('parley:'),
  PARLEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PARLEY_DATA_DIR: z.string().min(1).default('./data'),
  /**
   * Where uploaded files' bytes live: `disk` (PARLEY_DATA_DIR/files, this node only), `database`
   * (PostgreSQL tables, every node), `s3` (an S3-compatible bucket, every node), or `auto`: the
   * database with PostgreSQL, the disk with SQLite.
   */
  FILE_STORE: z.enum(['auto', 'disk', 'database', 's3']).default('auto'),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  /** An S3-compatible service (MinIO, Ceph, R2...); unset: AWS S3 in S3_REGION. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'must be an object key prefix like parley/files/')
    .default('files/'),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Unset (both): the AWS SDK's default credential chain (AWS_ACCESS_KEY_ID..., an instance or task role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  CONSUMER_V3_PREFIX: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'must be a path like /nexus/v3/chat/sessions')
    .default('/nexus/v3/chat/sessions'),
  LONG_POLL_MS: z.coerce.number().int().min(0).max(8500, 'must be at most 8500: the Genesys client gives up after 9 s').default(8000),
  /** Parley's SDK receives Chat API v3 messages over a WebSocket when this is on (see docs/design.md, Delivery). */
  V3_MESSAGE_STREAM: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Heartbeat frames and pings on the v3 message stream; a peer silent for two of them is cut. */
  V3_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(50).max(120_000).default(30_000),
  /** Heartbeat frames on the guest chat v2 event stream (the Genesys client expects one every ~30 s). */
  GUEST_HEARTBEAT_MS: z.coerce.number().int().min(50).max(120_000).default(30_000),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  UPLOAD_TYPES: z
    .string()
    .default('image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** With REDIS_URL: how often a node adds its counts of the default rate limit to the shared ones. */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  START_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  LOGIN_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /**
   * Which peers may set X-Forwarded-For / -Proto / -Host: empty (default) trusts none, so the client
   * address is the socket's; a hop count (`1` = the nearest proxy); or a comma-separated list of proxy
   * addresses and CIDRs (also `loopback`, `linklocal`, `uniquelocal`).
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v, ctx): TrustProxy => {
      const t = v.trim();
      if (t === '' || t === 'false') return false;
      if (/^\d+$/.test(t)) return Number(t);
      const list = t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = list.filter((e) => !isProxyAddress(e));
      if (bad.length || list.length === 0) {
        ctx.addIssue({ code: 'custom', message: `must be empty, a hop count, or proxy addresses/CIDRs separated by commas (bad: ${bad.join(', ') || t})` });
        return z.NEVER;
      }
      return list;
    }),
  /** Wrong passwords in a row a username may have before each further one locks it, for twice as long each time. */
  LOGIN_LOCKOUT_AFTER: z.coerce.number().int().min(1).max(1000).default(5),
  /** The longest a username stays locked. */
  LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Time a client has to send a request's headers. */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Time a client has to send a whole request, body included (uploads too); not the time to answer it, so long polls are not cut. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** How long an idle keep-alive connection stays open. */
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(72_000),
  STAFF_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(2)
    .max(30 * 86_400)
    .default(8 * 3600),
  /**
   * How long a node reuses a deployment (by API key or id) or a staff account it read, instead of
   * reading it on every request. Changes are announced on the fan-out and apply on every node at
   * once; this only bounds how stale a node can be when an announcement is lost. 0 = read every time.
   */
  AUTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** An agent whose last desktop connection (on any node) has been gone this long becomes NotReady "Disconnected"; offers pending to them go back to the queue. */
  AGENT_DISCONNECT_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(20),
  /** How often the agent socket is pinged; a ping unanswered by the next one ends a half-open socket. */
  AGENT_SOCKET_PING_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  /** ...and the chats they handle go back to the queue, with a notice to the customer, once it has been gone this long. */
  AGENT_HANDLING_GRACE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(180),
  /** Customer tokens (v3 clientToken, GMS secureKey, guest jwt): accepted this long after issue (8 days). */
  CLIENT_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(8 * 86_400),
  /** Signed file links (`?sig=`): valid this long after the message carrying them was read (1 day). */
  FILE_LINK_TTL_SECONDS: z.coerce.number().int().min(60).default(86_400),
  /** On SIGTERM, `/ready` answers 503 this long (the load balancer notices) before the server stops taking requests. */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** Bearer token for `GET /metrics` (Prometheus); unset, the route does not exist (404). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Outgoing webhooks: how often each node looks at the outbox when nothing was due. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** The first retry of a failed webhook request waits this long; each next one doubles (with jitter), up to WEBHOOK_RETRY_MAX_MS. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
  /** An event still undelivered this long after it happened is given up (state `dead`; an admin can replay it). */
  WEBHOOK_GIVE_UP_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 90)
    .default(72),
  /** Delivered and dead webhook outbox rows are deleted this many days after their event (by the retention run). */
  WEBHOOK_KEEP_DAYS: z.coerce.number().min(1).max(3650).default(30),
  /** One webhook request's time limit. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * A write's operationId is remembered this long (a retry within it returns the first result, later
   * it is applied again); older records are deleted by the retention run. At least 10 minutes (a
   * start's replay window is 5).
   */
  OPERATION_KEEP_HOURS: z.coerce
    .number()
    .min(1 / 6)
    .max(24 * 365)
    .default(24),
  /** How often the retention run (deployments' `settings.retention`) happens; one node runs it per interval. 0: never. */
  RETENTION_EVERY_MINUTES: z.coerce.number().min(0).max(10_080).default(60),
  /** Staff single sign-on (OpenID Connect): the provider's issuer URL; unset, SSO is off. */
  SSO_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  SSO_CLIENT_ID: z.string().min(1).optional(),
  /** Unset: a public client (PKCE only). */
  SSO_CLIENT_SECRET: z.string().min(1).optional(),
  /** `https://chat.example.com/agent/v1/sso/callback`, as registered at the provider; unset: made from each request's address (set it behind a proxy). */
  SSO_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  SSO_SCOPES: z.string().min(1).default('openid profile email'),
  /** The claim holding groups or roles (a dotted path reaches inside objects: `realm_access.roles`). */
  SSO_ROLE_CLAIM: z.string().min(1).default('groups'),
  /** `claim value=role` pairs, comma-separated: `parley-admins=admin,support-leads=supervisor,support=agent`. */
  SSO_ROLE_MAP: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const map = new Map<string, 'agent' | 'supervisor' | 'admin'>();
      for (const pair of v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const at = pair.lastIndexOf('=');
        const value = pair.slice(0, at).trim();
        const role = pair.slice(at + 1).trim();
        if (at <= 0 || !value || (role !== 'agent' && role !== 'supervisor' && role !== 'admin')) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" must be value=agent, value=supervisor or value=admin` });
          return z.NEVER;
        }
        map.set(value, role);
      }
      return map;
    }),
  /** The role of a user whose claim maps to none; unset: such users are refused. */
  SSO_DEFAULT_ROLE: z.enum(['agent', 'supervisor', 'admin']).optional(),
  /** The claim that names an account made at a first sign-in. */
  SSO_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  /** A first sign-in whose username is an existing local account's links to it; only when the provider alone decides usernames. */
  SSO_LINK_BY_USERNAME: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** The button's text on the desktop's login page. */
  SSO_LABEL: z.string().min(1).max(60).default('Sign in with SSO'),
  /** SMTP server for e-mailed chat transcripts; unset, customers can download the transcript but not have it e-mailed. */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** `true`: TLS from the first byte (port 465); `false`: STARTTLS when the server offers it. */
  SMTP_SECURE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().optional(),
  /** The sender of transcript e-mails (`Support <chat@example.com>`). */
  SMTP_FROM: z.string().min(3).default('Parley <no-reply@localhost>'),
  /** Transcript e-mails per client address per minute (each chat can also be e-mailed 3 times at most). */
  TRANSCRIPT_EMAIL_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(3),
  /** `auto`: pretty lines when stdout is a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PARLEY_DEMO: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  PARLEY_DEMO_API_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  PARLEY_DEMO_SERVER_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  PARLEY_DEMO_BOT: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  PARLEY_DEMO_AGENT_USER: z.string().min(1).optional(),
  PARLEY_DEMO_AGENT_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
});

const checked = schema.superRefine((c, ctx) => {
  if (c.SSO_ISSUER && !c.SSO_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['SSO_CLIENT_ID'], message: 'is required with SSO_ISSUER' });
  if (c.SSO_ISSUER && c.SSO_ROLE_MAP.size === 0 && !c.SSO_DEFAULT_ROLE)
    ctx.addIssue({ code: 'custom', path: ['SSO_ROLE_MAP'], message: 'is required with SSO_ISSUER (or SSO_DEFAULT_ROLE): which claim values make agents, supervisors, admins' });
  if (c.FILE_STORE === 's3' && !c.S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'is required with FILE_STORE=s3' });
  if (Boolean(c.S3_ACCESS_KEY_ID) !== Boolean(c.S3_SECRET_ACCESS_KEY))
    ctx.addIssue({ code: 'custom', path: ['S3_SECRET_ACCESS_KEY'], message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together' });
  if (c.HEADERS_TIMEOUT_MS > c.REQUEST_TIMEOUT_MS) ctx.addIssue({ code: 'custom', path: ['HEADERS_TIMEOUT_MS'], message: 'must not be more than REQUEST_TIMEOUT_MS' });
  if (c.AGENT_HANDLING_GRACE_SECONDS < c.AGENT_DISCONNECT_GRACE_SECONDS)
    ctx.addIssue({ code: 'custom', path: ['AGENT_HANDLING_GRACE_SECONDS'], message: 'must not be less than AGENT_DISCONNECT_GRACE_SECONDS' });
});

export type Config = z.infer<typeof schema>;
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Config)[];

export class ConfigError extends Error {}

export function flagsToEnv(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"; flags look like --port 8080`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = rawName!.toUpperCase().replace(/-/g, '_');
    if (!(CONFIG_KEYS as string[]).includes(key)) throw new ConfigError(`unknown flag --${rawName}; known: ${CONFIG_KEYS.map((k) => '--' + k.toLowerCase().replace(/_/g, '-')).join(' ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`flag --${rawName} needs a value`);
    out[key] = value;
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined>, argv: string[] = []): Config {
  const source: Record<string, string | undefined> = {};
  for (const k of CONFIG_KEYS) if (env[k] !== undefined && env[k] !== '') source[k] = env[k];
  Object.assign(source, flagsToEnv(argv));
  const parsed = checked.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  ${i.path.join('.')}: ${i.message}${source[String(i.path[0])] !== undefined && !/SECRET|PASSWORD|TOKEN|ACCESS_KEY/.test(String(i.path[0])) ? ` (got "${source[String(i.path[0])]}")` : ''}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    PARLEY_DEMO: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '100000',
    START_LIMIT_PER_MINUTE: '10000',
    LOGIN_LIMIT_PER_MINUTE: '10000',
    PARLEY_DEMO_BOT: 'false',
    ...overrides,
  });
}
