import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '@hotswap/config-snapshot';

/** The outcome of one probe. */
export interface ProbeResult {
  readonly isHealthy: boolean;
  /** The HTTP status answered; null for TCP checks and for HTTP checks that got no answer. */
  readonly statusCode: number | null;
  /** Why it failed, or what passed (`HTTP 200`, `TCP connect`). */
  readonly detail: string;
  readonly latencyMs: number;
  readonly checkedAt: Date;
}

/** Body bytes read at most when looking for `expectedBody`. */
export const MAX_PROBE_BODY_BYTES = 64 * 1024;

/**
 * Probes a backend once, as its `healthCheck` says: HTTP(S) `GET <backend path><endpoint>` with the configured
 * headers, healthy when the status is `expectedStatus` and, if set, the body (first 64 KiB) contains
 * `expectedBody`; or a TCP connect to the backend's host and port. Each probe opens its own connection (no
 * keep-alive, so a backend that stopped accepting connections is noticed) and gives up after `timeoutMs`.
 * Never rejects: every failure is a result.
 */
export function probeBackend(url: string, check: HealthCheck): Promise<ProbeResult> {
  const target = new URL(url);
  const startedAt = performance.now();
  const finish = (isHealthy: boolean, statusCode: number | null, detail: string): ProbeResult => ({
    isHealthy,
    statusCode,
    detail,
    latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    checkedAt: new Date(),
  });
  return check.type === 'TCP' ? probeTcp(target, check.timeoutMs, finish) : probeHttp(target, check, finish);
}

type Finish = (isHealthy: boolean, statusCode: number | null, detail: string) => ProbeResult;

function probeHttp(target: URL, check: HealthCheck, finish: Finish): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (result: ProbeResult) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const path = `${target.pathname.replace(/\/+$/, '')}${check.endpoint}`;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || undefined,
        path,
        method: 'GET',
        headers: { 'user-agent': 'hotswap-health-check', ...check.headers, connection: 'close' },
        agent: false,
      },
      (res) =>
        void readAnswer(res, check).then(({ isHealthy, detail }) =>
          settle(finish(isHealthy, res.statusCode ?? null, detail)),
        ),
    );
    const timer = setTimeout(
      () => settle(finish(false, null, `no answer within ${check.timeoutMs} ms`)),
      check.timeoutMs,
    );
    req.on('error', (error) => settle(finish(false, null, describeError(error))));
    req.end();
  });
}

async function readAnswer(res: IncomingMessage, check: HealthCheck): Promise<{ isHealthy: boolean; detail: string }> {
  const status = res.statusCode ?? 0;
  if (status !== check.expectedStatus) {
    res.resume();
    return { isHealthy: false, detail: `HTTP ${status}, expected ${check.expectedStatus}` };
  }
  if (check.expectedBody === null) {
    res.resume();
    return { isHealthy: true, detail: `HTTP ${status}` };
  }
  const body = await readBody(res, MAX_PROBE_BODY_BYTES);
  return body.includes(check.expectedBody)
    ? { isHealthy: true, detail: `HTTP ${status}, body contains the expected text` }
    : { isHealthy: false, detail: `HTTP ${status}, body does not contain "${check.expectedBody}"` };
}

function readBody(res: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    res.on('data', (chunk: Buffer) => {
      if (size >= limit) return;
      chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
      if (size >= limit) done();
    });
    res.on('end', done);
    res.on('error', done);
    res.on('close', done);
  });
}

function probeTcp(target: URL, timeoutMs: number, finish: Finish): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port });
    let isSettled = false;
    const settle = (result: ProbeResult) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle(finish(false, null, `no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => settle(finish(true, null, 'TCP connect')));
    socket.once('error', (error) => settle(finish(false, null, describeError(error))));
  });
}

function describeError(error: Error & { code?: string }): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
