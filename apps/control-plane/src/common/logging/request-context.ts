import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';

/** What a log line written while serving a request says about that request. */
export interface RequestLogContext {
  readonly traceId: string;
  readonly req: IncomingMessage;
}

const storage = new AsyncLocalStorage<RequestLogContext>();

/** Runs `next` (the rest of the request's handling) with `context` as the current request for logs. */
export function runInRequestContext(context: RequestLogContext, next: () => void): void {
  storage.run(context, next);
}

/** The request being served by the code running now, if any. */
export function currentRequestContext(): RequestLogContext | undefined {
  return storage.getStore();
}
