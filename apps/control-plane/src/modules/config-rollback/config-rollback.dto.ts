import { z } from 'zod';

export const rollbackRequestBodySchema = z.strictObject({
  version: z.number().int().min(1),
  reason: z.string().min(1).max(2000).optional(),
  /** The approval policy is per environment, as for deployments. */
  environment: z.string().min(1).max(100).default('production'),
});
export type RollbackRequestBody = z.output<typeof rollbackRequestBodySchema>;

export const listRollbacksQuerySchema = z.strictObject({
  status: z.enum(['Pending', 'Applied', 'Rejected']).optional(),
});

export type RollbackStatus = 'Pending' | 'Applied' | 'Rejected';

export interface ConfigRollbackView {
  rollbackId: string;
  targetVersion: number;
  environment: string;
  reason: string | null;
  status: RollbackStatus;
  requiresApproval: boolean;
  approvalExpiresAt: string | null;
  requestedBy: string | null;
  decidedBy: string | null;
  decisionComment: string | null;
  decidedAt: string | null;
  /** The newest snapshot version when the rollback was applied. */
  fromVersion: number | null;
  /** The snapshot version the rollback wrote (its content equals targetVersion's). */
  appliedVersion: number | null;
  /** The hash of the applied snapshot. */
  appliedHash: string | null;
  createdAt: string;
}
