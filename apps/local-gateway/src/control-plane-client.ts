/** The route the one-command start makes sure exists. */
export interface DemoRoute {
  name: string;
  pathPattern: string;
  backends: Array<{ name: string; url: string }>;
  strategy: string;
}

export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The routes in a list answer, whatever envelope holds them (`[...]`, `{items}`, `{data}` or `{routes}`). */
export function routesInListAnswer(body: unknown): Array<{ name?: unknown }> {
  if (Array.isArray(body)) return body as Array<{ name?: unknown }>;
  if (body && typeof body === 'object') {
    for (const key of ['items', 'data', 'routes', 'results']) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as Array<{ name?: unknown }>;
    }
  }
  return [];
}

/**
 * Creates the route through the REST API unless a route of that name exists. Returns what it did; a 409 from a
 * concurrent creation counts as existing.
 */
export async function ensureRoute(apiBaseUrl: string, token: string, route: DemoRoute): Promise<'created' | 'exists'> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // One page is enough: a route beyond it is still found, by the 409 its creation meets.
  const listed = await fetch(`${apiBaseUrl}/routes?limit=100`, {
    headers,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (listed.ok) {
    if (routesInListAnswer(await listed.json()).some((existing) => existing.name === route.name)) return 'exists';
  } else if (listed.status !== 400) {
    throw new ControlPlaneError(
      `GET ${apiBaseUrl}/routes answered ${listed.status}: ${await listed.text()}`,
      listed.status,
    );
  }
  const created = await fetch(`${apiBaseUrl}/routes`, {
    method: 'POST',
    headers,
    body: JSON.stringify(route),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (created.status === 409) return 'exists';
  if (!created.ok) {
    throw new ControlPlaneError(
      `POST ${apiBaseUrl}/routes answered ${created.status}: ${await created.text()}`,
      created.status,
    );
  }
  return 'created';
}
