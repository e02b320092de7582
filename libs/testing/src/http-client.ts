import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

/** What `send` got back. */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON); specs assert on it loosely. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs read arbitrary response shapes
  json: any;
}

/**
 * One HTTP/1.1 request, on a fresh connection unless an `agent` is given, with exactly the headers given (fetch
 * forbids hop-by-hop ones).
 * `declaredLength` sends a Content-Length without a body. A request with no answer within `timeoutMs` (default 30 s)
 * fails with code ETIMEDOUT, so a test never hangs on it.
 */
export function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    declaredLength?: number;
    timeoutMs?: number;
    agent?: Agent;
  } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    if (options.declaredLength !== undefined) headers['content-length'] = options.declaredLength;
    const req = request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
        if (options.declaredLength !== undefined) req.destroy();
      });
    });
    req.on('error', reject);
    req.setTimeout(options.timeoutMs ?? 30_000, () =>
      req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
    );
    if (options.body !== undefined) req.end(options.body);
    else if (options.declaredLength === undefined) req.end();
    else req.flushHeaders();
  });
}

/**
 * POSTs `size` bytes with chunked encoding (no Content-Length), writing until done or answered, and resolves the
 * answer. An answer that comes before the upload ends (a 413, say) is not an error.
 */
export function sendChunked(url: string, size: number): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let isAnswered = false;
    const req = request(url, { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      isAnswered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
    });
    // Once answered, the server may close the connection under the rest of the upload.
    req.on('error', (error) => (isAnswered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const writeMore = () => {
      while (sent < size && !isAnswered) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
