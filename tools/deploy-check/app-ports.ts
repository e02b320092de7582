import { loadAppConfig } from '../../apps/control-plane/src/config/app-config';
import { loadDataPlaneConfig } from '../../apps/data-plane/src/config/data-plane-config';
import { loadDemoBackendConfig } from '../../apps/demo-backend/src/config/demo-backend-config';
import { ROOT, type AppName } from './deploy-files';

/** The ports an app listens on with a given environment, as its own config loader reads them. */
export interface AppPorts {
  listening: number[];
  /** The HTTP port serving its health endpoints and /metrics (never the data plane's proxy port). */
  admin: number;
  /** gRPC (control plane) */
  grpc?: number;
}

/** Runs the app's config loader on `env` (it throws, listing every problem, when the app would refuse to start). */
export function appPorts(app: AppName, env: Record<string, string>): AppPorts {
  switch (app) {
    case 'control-plane': {
      const config = loadAppConfig(env);
      return { listening: [config.http.port, config.grpc.port], admin: config.http.port, grpc: config.grpc.port };
    }
    case 'data-plane': {
      const config = loadDataPlaneConfig(env, [], ROOT);
      return { listening: [config.proxy.port, config.status.port], admin: config.status.port };
    }
    case 'demo-backend': {
      const config = loadDemoBackendConfig(env);
      return { listening: [config.port], admin: config.port };
    }
  }
}
