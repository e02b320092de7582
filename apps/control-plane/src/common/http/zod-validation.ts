import { fromZodIssues } from '@hotswap/config-snapshot';
import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors/gateway-error';

/** Validates input with a zod schema; throws a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(toFieldIssues(parsed.error.issues, root));
}

/**
 * Validates a partial update: like `parseInput`, then keeps only the fields the input names, so that defaults of
 * absent fields never overwrite stored values.
 */
export function parsePatch<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): Partial<z.output<S>> {
  const parsed = parseInput(schema, input, root) as Record<string, unknown>;
  const given = new Set(Object.keys(input as object));
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => given.has(key))) as Partial<z.output<S>>;
}

export function toFieldIssues(issues: ReadonlyArray<z.core.$ZodIssue>, root = 'body'): FieldIssue[] {
  return fromZodIssues(issues).map((issue) => ({
    field: issue.path === '' ? root : issue.path,
    message: issue.message,
  }));
}

/** A pipe validating a request body (or query) with a zod schema. */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly options: { root?: string; partial?: boolean } = {},
  ) {}

  transform(value: unknown): z.output<S> {
    return this.options.partial
      ? (parsePatch(this.schema, value, this.options.root) as z.output<S>)
      : parseInput(this.schema, value, this.options.root);
  }
}
