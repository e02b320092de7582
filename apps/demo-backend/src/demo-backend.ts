import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoBackendOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Named in every JSON answer (`server`) and in the `X-Served-By` header, so that tests can tell backends apart. */
  name: string;
}

export interface DemoBackend {
  name: string;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Longest wait `/delay/{seconds}` grants, as httpbin. */
export const MAX_DELAY_SECONDS = 10;
/** Largest request body echoed; above it the answer is 413. Leaves room for the guide's 10 MB bodies. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  name: string;
}

/**
 * Starts an httpbin-style echo server: `/get`, `/anything/**`, `/status/{code}`, `/delay/{seconds}`, `/headers`, `/ip`
 * and `/health`. Resolves once it listens.
 */
export async function startDemoBackend(options: DemoBackendOptions): Promise<DemoBackend> {
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => handle(req, res, options.name, timers));
  // Longer than any client's keep-alive idle time, so that a proxy's pooled connection is not closed under it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    name: options.name,
    host: options.host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, name: string, timers: Set<NodeJS.Timeout>): void {
  res.setHeader('X-Served-By', name);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const exchange: Exchange = { req, res, url, name };
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const [first, second] = segments;
  const method = req.method ?? 'GET';

  if (first === 'anything') return void readBody(exchange, (body) => sendJson(exchange, 200, echo(exchange, body)));
  if (first === 'status' && segments.length === 2) return status(exchange, second as string);
  if (!['GET', 'HEAD'].includes(method) && ['get', 'headers', 'ip', 'health', 'delay'].includes(first ?? '')) {
    res.setHeader('Allow', 'GET, HEAD');
    return sendJson(exchange, 405, { error: `method ${method} not allowed on ${url.pathname}` });
  }
  if (segments.length === 1) {
    switch (first ?? '') {
      case 'get':
        return sendJson(exchange, 200, describe(exchange));
      case 'headers':
        return sendJson(exchange, 200, { headers: headersOf(req) });
      case 'ip':
        return sendJson(exchange, 200, { origin: originOf(req) });
      case 'health':
        return sendJson(exchange, 200, { status: 'ok' });
    }
  }
  if (first === 'delay' && segments.length === 2) return delay(exchange, second as string, timers);
  sendJson(exchange, 404, { error: `no such endpoint: ${url.pathname}` });
}

/** What `/get` and `/delay` answer: the request as the backend saw it. */
function describe({ req, url }: Exchange): Json {
  return {
    method: req.method,
    path: url.pathname,
    args: argsOf(url),
    headers: headersOf(req),
    origin: originOf(req),
    url: fullUrl(req),
  };
}

function echo(exchange: Exchange, body: Buffer): Json {
  return { ...describe(exchange), body: bodyText(body), json: bodyJson(exchange.req, body) };
}

function status(exchange: Exchange, text: string): void {
  const code = /^\d{3}$/.test(text) ? Number(text) : NaN;
  if (!(code >= 200 && code <= 599)) {
    return sendJson(exchange, 400, { error: `"${text}" is not a status code from 200 to 599` });
  }
  // Drain what the client sent, then answer; 204 and 304 carry no body.
  exchange.req.resume();
  if (code === 204 || code === 304) {
    exchange.res.writeHead(code);
    exchange.res.end();
    return;
  }
  sendJson(exchange, code, { status: code });
}

function delay(exchange: Exchange, text: string, timers: Set<NodeJS.Timeout>): void {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Math.min(Number(text), MAX_DELAY_SECONDS) : NaN;
  if (Number.isNaN(seconds)) return sendJson(exchange, 400, { error: `"${text}" is not a number of seconds` });
  const timer = setTimeout(() => {
    timers.delete(timer);
    sendJson(exchange, 200, { ...describe(exchange), delay: seconds });
  }, seconds * 1000);
  timers.add(timer);
  // A client that gives up does not keep a timer (and the answer) alive.
  exchange.res.once('close', () => {
    clearTimeout(timer);
    timers.delete(timer);
  });
}

function readBody(exchange: Exchange, then: (body: Buffer) => void): void {
  const { req } = exchange;
  const chunks: Buffer[] = [];
  let size = 0;
  let isTooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) isTooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (isTooLarge) return sendJson(exchange, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    then(Buffer.concat(chunks));
  });
  req.on('error', () => exchange.res.destroy());
}

function sendJson({ res, name }: Exchange, statusCode: number, payload: Json): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ server: name, ...payload }, null, 2) + '\n';
  res.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Query arguments; a repeated key becomes an array, as httpbin. */
function argsOf(url: URL): Record<string, string | string[]> {
  const args: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    args[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return args;
}

/** Request headers under their canonical names (`X-Forwarded-For`); repeated ones joined with ", ". */
function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[canonicalHeaderName(key)] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

/** The client as httpbin names it: the `X-Forwarded-For` chain when a proxy set one, else the peer address. */
function originOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (forwarded) return Array.isArray(forwarded) ? forwarded.join(', ') : forwarded;
  return req.socket.remoteAddress ?? '';
}

function fullUrl(req: IncomingMessage): string {
  const forwardedProto = req.headers['x-forwarded-proto'];
  const protocol = typeof forwardedProto === 'string' ? forwardedProto.split(',')[0]?.trim() : 'http';
  return `${protocol || 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text bodies as text; anything else as a base64 data URL, as httpbin. */
function bodyText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    return `data:application/octet-stream;base64,${body.toString('base64')}`;
  }
}

function bodyJson(req: IncomingMessage, body: Buffer): unknown {
  if (!/\bjson\b/i.test(req.headers['content-type'] ?? '') || body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
