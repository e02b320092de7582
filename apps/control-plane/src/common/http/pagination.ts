import { z } from 'zod';

/** `limit` (1-500, default 50) and `offset` (default 0) query parameters of every list endpoint. */
export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A boolean query parameter written `true` or `false`. */
export const booleanQuerySchema = z.enum(['true', 'false']).transform((value) => value === 'true');

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
