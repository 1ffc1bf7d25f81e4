import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { requestForLog } from './http/log-redaction.js';

/** `auto`: pretty lines on a terminal, JSON otherwise (a file, a pipe, a log collector). */
export type LogFormatSetting = 'auto' | 'json' | 'pretty';
export type LogFormat = 'json' | 'pretty';

export function chooseLogFormat(setting: LogFormatSetting, stdoutIsTTY: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return stdoutIsTTY ? 'pretty' : 'json';
}

/** Header paths pino replaces with `[Redacted]` before any format sees the line. */
export const REDACTED_HEADERS = ['req.headers["x-api-key"]', 'req.headers.apikey', 'req.headers["x-nexus-client-key"]', 'req.headers.authorization', 'req.headers.cookie'];

const PRETTY = { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true };

export interface LoggerTarget {
  level: string;
  format: LogFormat;
  /** Where lines go; without it, stdout (pretty lines through pino-pretty as a worker-thread transport). */
  stream?: NodeJS.WritableStream;
  colorize?: boolean;
}

export function loggerOptions(target: LoggerTarget): NonNullable<Extract<FastifyServerOptions['logger'], object>> {
  const common = {
    level: target.level,
    // Signed links and tokens ride in some query strings (file links, GMS downloads, the guest stream).
    serializers: { req: requestForLog },
    redact: REDACTED_HEADERS,
  };
  const colorize = target.colorize ?? false;
  if (target.format === 'json') return { ...common, ...(target.stream ? { stream: target.stream } : {}) };
  if (target.stream) return { ...common, stream: pretty({ ...PRETTY, colorize, sync: true, destination: target.stream }) };
  return { ...common, transport: { target: 'pino-pretty', options: { ...PRETTY, colorize, destination: 1 } } };
}

/**
 * Fastify's request lines, quieter: one line per answered request (the incoming one only at trace),
 * routine answers (long polls, heartbeats, health checks, static files, any 2xx/3xx) at debug, 4xx at
 * info, 5xx at warn, errors as Fastify logs them. Routes with their own `logLevel` keep it.
 */
export class RequestLogLevels extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.trace({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) };
    if (error) return reply.log.error({ ...fields, err: error }, 'request errored');
    const status = reply.statusCode;
    reply.log[status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug'](fields, 'request completed');
  }

  // Fastify's own line shows the raw URL (query credentials too); the completed line says it all.
  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'route not found');
  }
}

const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * A request's logger (Fastify's childLoggerFactory): pino's child, with the request id bound, made
 * when the first line at an enabled level is written. Most requests write none, and making the child
 * (its bindings serialized) was a share of every request's CPU.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | null = null;
  private readonly threshold: number;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    this.threshold = LEVEL_VALUES[options.level ?? parent.level] ?? 0;
  }

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (this.made || LEVEL_VALUES[level]! >= this.threshold) (this.real[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}
