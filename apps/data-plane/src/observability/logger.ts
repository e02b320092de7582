import { createJsonLogger, type LogFields, type PinoLogger } from '@hotswap/observability';
import type { DataPlaneConfig, LogLevel } from '../config/data-plane-config';

export type { LogFields };

/**
 * Structured JSON logs, one object per line on stdout (pino, with the fields and redaction of
 * @hotswap/observability): `timestamp`, `level`, `message`, the base fields, then the call's fields.
 */
export class Logger {
  private readonly pino: PinoLogger;

  /**
   * `write` receives each line without its newline (tests); default: stdout. `secrets`: values masked wherever they
   * would appear.
   */
  constructor(level: LogLevel, base: LogFields = {}, write?: (line: string) => void, secrets: readonly string[] = []) {
    this.pino = createJsonLogger({ level, base, secrets, ...(write ? { destination: write } : {}) });
  }

  /** The data plane's logger: LOG_LEVEL, and its secrets (the control-plane token, the Redis password) masked. */
  static forConfig(config: DataPlaneConfig, base: LogFields): Logger {
    const secrets: string[] = [];
    if (config.controlPlaneAuth.token !== undefined) secrets.push(config.controlPlaneAuth.token);
    const redisUrl = config.rateLimits.redisUrl;
    const password = redisUrl === undefined ? '' : (URL.parse(redisUrl)?.password ?? '');
    if (password !== '') secrets.push(password, decodeURIComponent(password));
    return new Logger(config.logLevel, base, undefined, secrets);
  }

  debug(message: string, fields?: LogFields): void {
    this.pino.debug(fields, message);
  }

  info(message: string, fields?: LogFields): void {
    this.pino.info(fields, message);
  }

  warn(message: string, fields?: LogFields): void {
    this.pino.warn(fields, message);
  }

  error(message: string, fields?: LogFields): void {
    this.pino.error(fields, message);
  }
}
