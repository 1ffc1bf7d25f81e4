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
  REDIS_URL: z
    .string()
    .refine((v) => v.startsWith('redis://') || v.startsWith('rediss://'), { message: 'must start with redis:// or rediss://' })
    .optional(),
  PARLEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PARLEY_DATA_DIR: z.string().min(1).default('./data'),
  CONSUMER_V3_PREFIX: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'must be a path like /nexus/v3/chat/sessions')
    .default('/nexus/v3/chat/sessions'),
  LONG_POLL_MS: z.coerce.number().int().min(0).max(8500, 'must be at most 8500: the Genesys client gives up after 9 s').default(8000),
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
        `  ${i.path.join('.')}: ${i.message}${source[String(i.path[0])] !== undefined && !String(i.path[0]).includes('SECRET') && !String(i.path[0]).includes('PASSWORD') && !String(i.path[0]).includes('TOKEN') ? ` (got "${source[String(i.path[0])]}")` : ''}`,
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
