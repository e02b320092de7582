/** Who asks for a change, and under which trace: recorded in the audit log with every write. */
export interface Actor {
  /** The `sub` claim of the caller's token; `null` for system changes. */
  userId: string | null;
  traceId: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, traceId: '00000000000000000000000000000000' };
