import { GatewayError, NotFoundError } from '../../common/errors/gateway-error';

export class DataPlaneNotFoundError extends NotFoundError {
  constructor(dataPlaneId: string) {
    super('Data plane', dataPlaneId);
  }
}

/** A data plane broke the discovery protocol (no Hello first, a second Hello, an empty message…). */
export class DiscoveryProtocolError extends GatewayError {
  constructor(message: string) {
    super('VALIDATION_ERROR', message);
  }
}

/** The stream cannot be served now (its data plane could not be registered, the replica is shutting down). */
export class DiscoveryUnavailableError extends GatewayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SERVICE_UNAVAILABLE', message, null, options);
  }
}

/** A data-plane stream presented no token, or one the control plane does not accept. */
export class DataPlaneUnauthenticatedError extends GatewayError {
  constructor() {
    super('UNAUTHORIZED', 'a valid data-plane token is required (metadata "authorization: Bearer <token>")');
  }
}
