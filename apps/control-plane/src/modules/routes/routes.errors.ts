import { GatewayError } from '../../common/errors/gateway-error';
import type { ActiveDeployment } from '../deployments/active-deployment';

/** A route is held by its active deployment: it cannot be updated or deleted until the deployment ends. */
export class RouteInDeploymentError extends GatewayError {
  constructor(routeId: string, deployment: ActiveDeployment) {
    super(
      'ROUTE_IN_DEPLOYMENT',
      `Route "${routeId}" has an active deployment (${deployment.deploymentId}, ${deployment.status}); ` +
        'wait for it to end, or roll it back, before changing the route',
      { routeId, deploymentId: deployment.deploymentId, status: deployment.status },
    );
  }
}
