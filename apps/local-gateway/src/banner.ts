import type { LocalGatewayPorts } from './config/local-gateway-config';

export interface BannerFacts {
  ports: LocalGatewayPorts;
  /** Printable: the embedded database's URL in full, an external one with its password masked. */
  database: string;
  token: string;
  tokenRole: string;
  demoRoute: { name: string; pathPattern: string; backendUrl: string };
}

/** What the one-command start prints once everything is ready: where each part listens, a token, commands to try. */
export function formatBanner(facts: BannerFacts): string {
  const { ports, demoRoute } = facts;
  const api = `http://localhost:${ports.controlPlaneHttp}/api/v1/gateway`;
  const example = JSON.stringify({
    name: 'echo',
    pathPattern: '/echo/**',
    backends: [{ name: 'echo-backend', url: demoRoute.backendUrl }],
    strategy: 'RoundRobin',
  });
  const rows: Array<[string, string]> = [
    [
      'proxy',
      `http://localhost:${ports.gateway}   (route "${demoRoute.name}": ${demoRoute.pathPattern} → demo backend)`,
    ],
    ['proxy status', `http://localhost:${ports.gatewayStatus}/health/ready   /metrics   /config`],
    ['REST API', api],
    ['Swagger UI', `http://localhost:${ports.controlPlaneHttp}/swagger`],
    ['gRPC', `localhost:${ports.controlPlaneGrpc}`],
    ['PostgreSQL', facts.database],
    ['demo backend', demoRoute.backendUrl],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    'HotSwap Gateway is running. Ctrl-C stops everything.',
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    `${facts.tokenRole} token (a JWT; make more with: npm run token -- --role Operator):`,
    `  export TOKEN=${facts.token}`,
    '',
    'Try:',
    `  curl http://localhost:${ports.gateway}/demo/get`,
    `  curl -H "Authorization: Bearer $TOKEN" ${api}/routes`,
    `  curl -X POST ${api}/routes \\`,
    `    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '${example}'`,
    `  curl http://localhost:${ports.gateway}/echo/anything/hello`,
    '',
  ].join('\n');
}
