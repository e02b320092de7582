import { API_PREFIX } from '../../common/http/api-prefix';
import type { ConfigRollbackView } from '../config-rollback/config-rollback.dto';
import type { DeploymentView } from '../deployments/dto/deployment.dto';
import type { PendingApproval } from './dto/pending-approval.dto';

export function pendingDeployment(view: DeploymentView): PendingApproval {
  const url = `/${API_PREFIX}/deployments/${encodeURIComponent(view.deploymentId)}`;
  return {
    ...view,
    kind: 'Deployment',
    id: view.deploymentId,
    requestedBy: view.createdBy,
    requestedAt: view.createdAt,
    environment: view.environment,
    expiresAt: view.approval.expiresAt,
    approveUrl: `${url}/approve`,
    rejectUrl: `${url}/reject`,
  };
}

export function pendingRollback(view: ConfigRollbackView): PendingApproval {
  const url = `/${API_PREFIX}/config/rollbacks/${encodeURIComponent(view.rollbackId)}`;
  return {
    ...view,
    kind: 'ConfigRollback',
    id: view.rollbackId,
    requestedBy: view.requestedBy,
    requestedAt: view.createdAt,
    environment: view.environment,
    expiresAt: view.approvalExpiresAt,
    approveUrl: `${url}/approve`,
    rejectUrl: `${url}/reject`,
  };
}

/** Everything waiting for approval, oldest first (ties by id, so the order is stable). */
export function oldestFirst(items: readonly PendingApproval[]): PendingApproval[] {
  return [...items].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
}
