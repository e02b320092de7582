import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { maskSecrets, REDACTED, REDACTED_PATHS } from './logger-redaction';

export type { PinoLogger };

/** Log levels both planes accept in LOG_LEVEL. */
export type JsonLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The fields of a log line, beside `timestamp`, `level` and `message`. */
export type LogFields = Record<string, unknown>;

export interface JsonLoggerOptions {
  level: JsonLogLevel;
  /** Fields on every line (`dataPlaneId`, `instanceId`…). */
  base?: LogFields;
  /** Known secret values (a signing key, a password) masked wherever they would appear. */
  secrets?: readonly string[];
  /** Where lines go: a pino destination, or a function receiving each line without its newline. Default: stdout. */
  destination?: DestinationStream | ((line: string) => void);
  /** Fields computed per line (the request's trace id and user, say); the call's own fields win. */
  mixin?: () => LogFields;
  /**
   * Censors secret fields and masks secrets in every string of every line (see maskSecrets). Default true; a logger
   * whose fields are known to carry none (the access log) turns it off.
   */
  isMasking?: boolean;
}

const MAX_MASK_DEPTH = 4;

/**
 * A pino logger writing one JSON object per line with the guide's field names: `timestamp` (ISO 8601), `level`
 * (`debug`, `info`, `warn`, `error`), `message`, then the fields (errors under `error` as
 * `{ type, message, code, stack }`). Authorization and cookie headers, passwords, tokens and secrets are censored by
 * field name (pino redact); passwords in URLs, bearer tokens, JWTs and `secrets` are masked inside any string.
 */
export function createJsonLogger(options: JsonLoggerOptions): PinoLogger {
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 4);
  const isMasking = options.isMasking ?? true;
  const mask = (text: string) => maskSecrets(text, secrets);
  const destination =
    typeof options.destination === 'function' ? lineDestination(options.destination) : options.destination;
  return pino(
    {
      level: options.level,
      base: options.base ?? null,
      messageKey: 'message',
      errorKey: 'error',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        ...(isMasking ? { log: (object: LogFields) => maskValue(object, mask, 0) as LogFields } : {}),
      },
      serializers: { error: (error: unknown) => serializeError(error, isMasking ? mask : (text) => text) },
      ...(isMasking ? { redact: { paths: [...REDACTED_PATHS], censor: REDACTED } } : {}),
      ...(options.mixin ? { mixin: options.mixin } : {}),
      ...(isMasking
        ? {
            hooks: {
              logMethod(args, method) {
                const masked = args.map((arg) => (typeof arg === 'string' ? mask(arg) : arg));
                method.apply(this, masked as Parameters<typeof method>);
              },
            },
          }
        : {}),
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function lineDestination(write: (line: string) => void): DestinationStream {
  return { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
}

function maskValue(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_MASK_DEPTH) return value;
  if (value instanceof Error) return serializeError(value, mask);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, mask, depth + 1));
  const masked: LogFields = {};
  for (const [key, item] of Object.entries(value)) masked[key] = maskValue(item, mask, depth + 1);
  return masked;
}

function serializeError(error: unknown, mask: (text: string) => string): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? mask(error) : error;
  const code = (error as NodeJS.ErrnoException).code;
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
  return {
    type: error.name,
    message: mask(error.message),
    ...(code === undefined ? {} : { code }),
    ...(cause === undefined ? {} : { cause: mask(cause) }),
    ...(error.stack === undefined ? {} : { stack: mask(error.stack) }),
  };
}

/** A destination that gathers lines and writes them to stdout asynchronously, for loggers on a hot path. */
export interface AsyncLogDestination extends DestinationStream {
  /** Writes what is buffered, then calls back. */
  flush(callback: (error?: Error) => void): void;
}

/**
 * Stdout, written asynchronously (pino's sonic-boom) in writes of `bufferBytes` or more, and at least every
 * `flushIntervalMs` when there is less; what is still pending is written when the process exits.
 */
export function asyncStdoutDestination(bufferBytes = 4096, flushIntervalMs = 1000): AsyncLogDestination {
  return pino.destination({ dest: 1, sync: false, minLength: bufferBytes, periodicFlush: flushIntervalMs });
}
