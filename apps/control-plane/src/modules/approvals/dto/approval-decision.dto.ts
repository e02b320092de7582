import { z } from 'zod';

/** The body of an approve or reject call (deployment or config rollback): an optional comment, kept with the decision. */
export const approvalDecisionBodySchema = z
  .strictObject({ comment: z.string().min(1).max(2000).optional() })
  .default({});
export type ApprovalDecisionBody = z.output<typeof approvalDecisionBodySchema>;
