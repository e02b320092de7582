import { AuditLogEntity } from '../modules/audit/audit-log.entity';
import { BackendEntity } from '../modules/backends/backend.entity';
import { DeploymentTransitionEntity } from '../modules/deployments/deployment-transition.entity';
import { DeploymentEntity } from '../modules/deployments/deployment.entity';
import { RouteVersionEntity } from '../modules/routes/route-version.entity';
import { RouteEntity } from '../modules/routes/route.entity';
import { ConfigSnapshotEntity } from '../modules/snapshots/config-snapshot.entity';

/** Every TypeORM entity of the control plane. A module with its own tables adds its entities here. */
export const ENTITIES = [
  RouteEntity,
  RouteVersionEntity,
  BackendEntity,
  AuditLogEntity,
  ConfigSnapshotEntity,
  DeploymentEntity,
  DeploymentTransitionEntity,
];
