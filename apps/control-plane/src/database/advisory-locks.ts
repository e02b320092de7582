/**
 * PostgreSQL advisory lock keys (two-int form: class, object) used by the control plane. One place, so no two
 * features ever share a key by accident.
 */
export const ADVISORY_LOCK_CLASS = 72_707;

export const AdvisoryLock = {
  /** Held (session lock) while migrations run, so replicas starting together apply each one once. */
  migrations: 1,
  /** Held (transaction lock) by every configuration write, so snapshots are built one after another. */
  snapshots: 2,
} as const;
