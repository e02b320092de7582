import { Logger, type LoggerService } from '@nestjs/common';
import { createJsonLogger, type LogFields, type PinoLogger } from '@hotswap/observability';
import type { AppConfig } from '../../config/app-config';
import { principalOf } from '../../modules/auth/principal';
import { currentRequestContext } from './request-context';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/**
 * Nest's LoggerService over pino: every line JSON with the guide's fields (`timestamp`, `level`, `message`), the
 * Nest context as `context`, and, on lines written while serving a request, its `traceId` and `userId` (the JWT
 * subject). Secrets are masked (see @hotswap/observability).
 */
export class JsonNestLogger implements LoggerService {
  constructor(readonly pino: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest calls `(message, ...extra, context)`; for errors the extra is a stack. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: LogFields = {};
    const extra = [...params];
    if (extra.length > 0 && typeof extra[extra.length - 1] === 'string') fields.context = extra.pop();
    const [stack] = extra;
    if (typeof stack === 'string') fields.stack = stack;
    else if (stack instanceof Error) fields.error = stack;
    let text: string;
    if (message instanceof Error) {
      fields.error = message;
      text = message.message;
    } else if (message !== null && typeof message === 'object') {
      const { message: inner, ...rest } = message as LogFields;
      Object.assign(fields, rest);
      text = typeof inner === 'string' ? inner : '';
    } else {
      text = String(message);
    }
    this.pino[level](fields, text);
  }
}

/**
 * The control plane's logger: LOG_LEVEL, its instance id on every line, its secrets masked wherever they appear.
 * `write` receives each line (tests); default: stdout.
 */
export function createControlPlaneLogger(config: AppConfig, write?: (line: string) => void): JsonNestLogger {
  return new JsonNestLogger(
    createJsonLogger({
      level: config.logLevel,
      base: { instanceId: config.instanceId },
      secrets: secretsOf(config),
      mixin: requestFields,
      ...(write ? { destination: write } : {}),
    }),
  );
}

/** Routes every Nest `Logger` (including those created before the app) to `logger`. */
export function useJsonLogger(logger: JsonNestLogger): void {
  Logger.overrideLogger(logger);
}

function requestFields(): LogFields {
  const context = currentRequestContext();
  if (context === undefined) return {};
  const userId = principalOf(context.req)?.sub;
  return userId === undefined ? { traceId: context.traceId } : { traceId: context.traceId, userId };
}

function secretsOf(config: AppConfig): string[] {
  const secrets = [config.auth.jwtSecret, ...(config.dataPlaneAuth?.tokens ?? [])];
  for (const url of [config.databaseUrl, config.redisUrl]) {
    const password = url === undefined ? '' : passwordOf(url);
    if (password !== '') secrets.push(password, decodeURIComponent(password));
  }
  return secrets;
}

function passwordOf(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}
