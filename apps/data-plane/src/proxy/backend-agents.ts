import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { BackendConfig } from '@hotswap/config-snapshot';

/** A keep-alive agent for one backend; retiring it lets in-flight requests finish and closes every socket after. */
export interface BackendAgent extends HttpAgent {
  retire(): void;
}

function retire(agent: HttpAgent): void {
  // A socket released with maxFreeSockets 0 is destroyed instead of kept: in-flight requests finish first.
  agent.maxFreeSockets = 0;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

class KeepAliveHttpAgent extends HttpAgent implements BackendAgent {
  retire(): void {
    retire(this);
  }
}

class KeepAliveHttpsAgent extends HttpsAgent implements BackendAgent {
  retire(): void {
    retire(this);
  }
}

const DEFAULT_MAX_FREE_SOCKETS = 256;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Keep-alive agents per backend, keyed by backend id, URL origin and pool settings, and kept across snapshot swaps
 * while that key stays in use: a new snapshot does not reopen connections to backends that did not change.
 */
export class BackendAgentPool {
  private readonly agents = new Map<string, BackendAgent>();

  /** The key under which `backend` shares an agent; `origin` is that of its URL. */
  static keyOf(backend: BackendConfig, origin: string = new URL(backend.url).origin): string {
    const pool = backend.connectionPool;
    const poolKey = pool ? `${pool.maxConnections}/${pool.maxIdleConnections}/${pool.idleTimeoutMs}` : '-';
    return `${backend.backendId}|${origin}|${poolKey}`;
  }

  /** The agent for a backend under its key, created on first use. */
  acquire(key: string, backend: BackendConfig): BackendAgent {
    let agent = this.agents.get(key);
    if (!agent) {
      const pool = backend.connectionPool;
      const options: AgentOptions = {
        keepAlive: true,
        maxSockets: pool?.maxConnections ?? Infinity,
        maxFreeSockets: pool?.maxIdleConnections ?? DEFAULT_MAX_FREE_SOCKETS,
        // Idle sockets close after this; a backend's shorter Keep-Alive hint wins (Node's agent reads it).
        timeout: pool?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        scheduling: 'lifo',
      };
      agent = backend.url.startsWith('https:') ? new KeepAliveHttpsAgent(options) : new KeepAliveHttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Retires every agent whose key is not in `keys` (called once a new snapshot is active). */
  retainOnly(keys: ReadonlySet<string>): number {
    let retired = 0;
    for (const [key, agent] of this.agents) {
      if (keys.has(key)) continue;
      this.agents.delete(key);
      agent.retire();
      retired++;
    }
    return retired;
  }

  get size(): number {
    return this.agents.size;
  }

  /** Closes every connection (shutdown). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
