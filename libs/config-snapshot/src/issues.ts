import type { z } from 'zod';

/** One reason a configuration is not valid: where (`routes[2].pathPattern`) and why. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Formats a path of keys and indexes as `routes[2].pathPattern`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Turns zod's issues into ours, one per problem, with unknown keys named one by one. */
export function fromZodIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatIssuePath([...issue.path, key], prefix), message: 'is not a known field' });
      }
    } else if (issue.code === 'invalid_union') {
      out.push({ path: formatIssuePath(issue.path, prefix), message: issue.message });
    } else {
      out.push({ path: formatIssuePath(issue.path, prefix), message: issue.message });
    }
  }
  return out;
}
