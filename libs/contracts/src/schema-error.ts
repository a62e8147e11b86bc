import type { z } from 'zod';

/** One line per problem, `path: message`, for logs, dead letters and HTTP 400 bodies. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
