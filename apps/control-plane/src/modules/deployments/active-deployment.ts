import type { EntityManager } from 'typeorm';
import { DEPLOYMENT_STATUSES, isActive, type DeploymentStatus } from './deployment-state';

const ACTIVE_STATUSES = DEPLOYMENT_STATUSES.filter(isActive);

export interface ActiveDeployment {
  readonly deploymentId: string;
  readonly status: DeploymentStatus;
}

/**
 * The deployment that holds `routeId` (at most one is active per route), if any. Race-free only when the caller
 * holds the route's row lock (SELECT ... FOR UPDATE) in `manager`'s transaction: creating a deployment takes it too.
 */
export async function findActiveDeployment(
  manager: EntityManager,
  routeId: string,
): Promise<ActiveDeployment | undefined> {
  const [row] = await manager.query<Array<{ deployment_id: string; status: DeploymentStatus }>>(
    'SELECT deployment_id, status FROM deployments WHERE route_id = $1 AND status = ANY($2) LIMIT 1',
    [routeId, ACTIVE_STATUSES],
  );
  return row ? { deploymentId: row.deployment_id, status: row.status } : undefined;
}
