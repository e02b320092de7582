import type { SchemaObject } from '@nestjs/swagger';
import type { ConfigRollbackView } from '../../config-rollback/config-rollback.dto';
import type { DeploymentView } from '../../deployments/dto/deployment.dto';

export const PENDING_APPROVAL_KINDS = ['Deployment', 'ConfigRollback'] as const;
export type PendingApprovalKind = (typeof PENDING_APPROVAL_KINDS)[number];

/** What every item waiting for approval says, whatever its kind. */
export interface PendingApprovalFields {
  kind: PendingApprovalKind;
  /** The deployment's or the rollback's id. */
  id: string;
  requestedBy: string | null;
  requestedAt: string;
  environment: string;
  expiresAt: string | null;
  /** Where an Admin (not the requester) decides: POST, optional body `{"comment"}`. */
  approveUrl: string;
  rejectUrl: string;
}

/** A deployment keeps its own fields (as GET deployments/{id} answers), a rollback its own (GET config/rollbacks/{id}). */
export type PendingApproval =
  | (PendingApprovalFields & { kind: 'Deployment' } & DeploymentView)
  | (PendingApprovalFields & { kind: 'ConfigRollback' } & ConfigRollbackView);

const nullableString: SchemaObject = { type: 'string', nullable: true };

/** The OpenAPI schema of `GET approvals/pending`. */
export const pendingApprovalsResponseSchema: SchemaObject = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      description: 'Oldest first. Each item also carries the fields of its kind: a deployment or a config rollback.',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['kind', 'id', 'requestedBy', 'requestedAt', 'environment', 'expiresAt', 'approveUrl', 'rejectUrl'],
        properties: {
          kind: { type: 'string', enum: [...PENDING_APPROVAL_KINDS] },
          id: { type: 'string', example: 'deploy-1a2b3c4d' },
          requestedBy: { ...nullableString, example: 'alice' },
          requestedAt: { type: 'string', format: 'date-time' },
          environment: { type: 'string', example: 'production' },
          expiresAt: { ...nullableString, format: 'date-time' },
          approveUrl: { type: 'string', example: '/api/v1/gateway/deployments/deploy-1a2b3c4d/approve' },
          rejectUrl: { type: 'string', example: '/api/v1/gateway/deployments/deploy-1a2b3c4d/reject' },
          deploymentId: { type: 'string', description: 'Deployment only' },
          routeId: { type: 'string', description: 'Deployment only' },
          rollbackId: { type: 'string', description: 'ConfigRollback only' },
          targetVersion: { type: 'integer', description: 'ConfigRollback only: the config version to restore' },
        },
      },
    },
  },
};
