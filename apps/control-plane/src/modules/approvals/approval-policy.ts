/** Which deployments need an Admin's approval, and for how long one may wait. */
export interface ApprovalPolicy {
  /** Environments whose deployments need approval (default: production). */
  readonly environments: readonly string[];
  readonly ttlMs: number;
}

export function requiresApproval(policy: ApprovalPolicy, environment: string): boolean {
  return policy.environments.includes(environment);
}

export type ApprovalDecision = { ok: true } | { ok: false; reason: 'self-approval' };

/** Nobody approves or rejects their own deployment. */
export function mayDecide(deployment: { createdBy: string | null }, approver: string | null): ApprovalDecision {
  return approver !== null && deployment.createdBy === approver ? { ok: false, reason: 'self-approval' } : { ok: true };
}
