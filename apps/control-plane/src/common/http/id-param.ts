import { idSchema } from '@hotswap/config-snapshot';
import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { NotFoundError } from '../errors/gateway-error';

/** What a data plane may call itself (its Hello is checked likewise): printable, at most 255 characters. */
export const dataPlaneIdSchema = z.string().regex(/^[^\p{Cc}]{1,255}$/u);

/**
 * Checks an id in the path before any query: one that no entity can have (other characters, too long, NUL bytes
 * PostgreSQL refuses) is answered 404, as an unknown id is.
 */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  constructor(
    private readonly entity: string,
    private readonly schema: z.ZodType<string> = idSchema,
  ) {}

  transform(value: string): string {
    if (!this.schema.safeParse(value).success) {
      throw new NotFoundError(this.entity, value.length > 100 ? `${value.slice(0, 100)}…` : value);
    }
    return value;
  }
}
