/** The roles of the management API (DESIGN §5): Admin does everything, Operator deploys, Viewer reads. */
export const ROLES = ['Admin', 'Operator', 'Viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
