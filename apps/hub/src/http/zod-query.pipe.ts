import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeSchemaError } from '../../../../libs/contracts/src/index.js';

/** Validates a request part with a shared schema; a 400 names every bad field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const r = this.schema.safeParse(value);
    if (!r.success) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', code: 'INVALID_INPUT', message: describeSchemaError(r.error) });
    return r.data;
  }
}
