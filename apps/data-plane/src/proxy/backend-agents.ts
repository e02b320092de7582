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
 * A keep-alive agent for one backend, sized by its `connectionPool`. It lives as long as the backend's state
 * (see BackendStateRegistry): a new snapshot does not reopen connections to backends that did not change.
 */
export function createBackendAgent(backend: BackendConfig): BackendAgent {
  const pool = backend.connectionPool;
  const options: AgentOptions = {
    keepAlive: true,
    maxSockets: pool?.maxConnections ?? Infinity,
    maxFreeSockets: pool?.maxIdleConnections ?? DEFAULT_MAX_FREE_SOCKETS,
    // Idle sockets close after this; a backend's shorter Keep-Alive hint wins (Node's agent reads it).
    timeout: pool?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    scheduling: 'lifo',
  };
  return backend.url.startsWith('https:') ? new KeepAliveHttpsAgent(options) : new KeepAliveHttpAgent(options);
}
