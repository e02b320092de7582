export * from './logger-redaction';
export * from './logger-pino';
export * from './tracing-config';
export * from './tracing-context';
export * from './tracing-provider';
