import type { PipeTransform } from '@nestjs/common';
import { CodedError } from './coded-error.js';
import type { z } from 'zod';
import { describeSchemaError } from '../../../../libs/contracts/src/index.js';

/** Validates a request part with a shared schema; a 400 names every bad field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const r = this.schema.safeParse(value);
    if (!r.success) {
      const [code, , params] = codeOf(r.error.issues[0]);
      throw new CodedError(400, code, describeSchemaError(r.error), params, { error: 'Bad Request' });
    }
    return r.data;
  }
}

/** The first bad field as a code the web translates: too long/large, too short/small, or invalid. */
function codeOf(i: z.core.$ZodIssue | undefined): [string, string, Record<string, string | number>] {
  const field = i?.path.length ? i.path.join('.') : '';
  if (i?.code === 'too_big') return ['field_too_big', describeIssue(i), { field, maximum: Number(i.maximum) }];
  if (i?.code === 'too_small') return ['field_too_small', describeIssue(i), { field, minimum: Number(i.minimum) }];
  return ['invalid_input', i ? describeIssue(i) : 'invalid input', { field }];
}
const describeIssue = (i: z.core.$ZodIssue) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`;
