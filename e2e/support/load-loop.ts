import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { expectEventually, send, type HttpResult } from '@hotswap/testing';

/** What a load loop saw: every request it sent ended in exactly one of these. */
export interface LoadOutcome {
  /** Requests answered completely, by status. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Requests whose connection was refused: nothing reached a server (a stopped listener), nothing was cut. */
  readonly refused: number;
  /** Requests cut after their connection was made (reset, hang-up, no answer in time), with what happened. */
  readonly cut: readonly string[];
  readonly total: number;
}

export interface LoadLoop {
  /** Requests completed so far (answered, refused or cut). */
  completed(): number;
  /**
   * Sends no new request from now on (as a load balancer that stopped routing here); those in flight go on. Resolves
   * once each of them has its connection established (none is still being opened).
   */
  pause(): Promise<void>;
  /** Stops sending, waits for the requests in flight, and returns the outcome (rejects if a `check` failed). */
  stop(): Promise<LoadOutcome>;
}

/**
 * A bounded load of `concurrency` clients, each sending one request after the other (a connection each) to
 * `url` until stopped or `maxRequests` were sent in all. Every request is bounded in time by `send`'s timeout.
 */
export function startLoadLoop(
  url: string | (() => string),
  options: { concurrency: number; maxRequests: number; check?: (result: HttpResult) => void },
): LoadLoop {
  const statuses = new Map<number, number>();
  const cut: string[] = [];
  let refused = 0;
  let sent = 0;
  let completed = 0;
  let isStopped = false;
  // Each request on a connection of its own (no keep-alive), whose opening is watched.
  const connecting = new Set<Socket>();
  const agent = new Agent({ keepAlive: false });
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
    const socket = createConnection(...args) as Socket;
    connecting.add(socket);
    const settled = () => connecting.delete(socket);
    socket.once('connect', settled).once('close', settled);
    return socket;
  };
  const client = async () => {
    while (!isStopped && sent < options.maxRequests) {
      sent++;
      let result: HttpResult | undefined;
      try {
        result = await send(typeof url === 'string' ? url : url(), { timeoutMs: 20_000, agent });
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ECONNREFUSED') refused++;
        else cut.push(`${code ?? 'error'}: ${(error as Error).message}`);
      }
      completed++;
      // A failed check ends this client: stop() rejects with it.
      if (result) options.check?.(result);
    }
  };
  const clients = Array.from({ length: options.concurrency }, client);
  for (const running of clients) running.catch(() => undefined); // reported by stop()
  return {
    completed: () => completed,
    pause: async () => {
      isStopped = true;
      await expectEventually(() => expect(connecting.size).toBe(0));
    },
    async stop() {
      isStopped = true;
      await Promise.all(clients);
      return { statuses, refused, cut, total: completed };
    },
  };
}
