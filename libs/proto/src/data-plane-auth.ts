/** The metadata key that carries a data plane's credential on the discovery and telemetry streams. */
export const DATA_PLANE_AUTH_METADATA_KEY = 'authorization';

/** The metadata value a data plane sends for its token: `Bearer <token>`. */
export function bearerCredential(token: string): string {
  return `Bearer ${token}`;
}

/** The token of a `Bearer <token>` metadata value; undefined when the value is not one. */
export function tokenOfBearerCredential(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}
