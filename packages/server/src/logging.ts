import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
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
