// Every error a user can meet carries a stable code (and the values its sentence needs); the web
// translates `err_<code>` (vi/en) and shows the hub's English `message` only for a code it does not know.
import { z } from 'zod';

/** The JSON body of every non-2xx answer of the hub's REST API. */
export const ApiErrorBodySchema = z.object({
  statusCode: z.number().int(),
  /** Stable machine code, e.g. `user_exists`, `invalid_input`, `login_locked`. */
  code: z.string(),
  /** Values for the translated sentence (names, sizes, seconds). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** English sentence for logs and API clients. */
  message: z.string(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** The code an answer gets when its thrower named none: by HTTP status. */
export const codeForStatus = (status: number): string =>
  (
    ({
      400: 'invalid_input',
      401: 'unauthenticated',
      403: 'forbidden',
      404: 'not_found',
      409: 'conflict',
      413: 'too_large',
      415: 'unsupported_media',
      422: 'unprocessable',
      429: 'too_many_requests',
      502: 'upstream_failed',
      503: 'unavailable',
      504: 'upstream_timeout',
    }) as Record<number, string>
  )[status] ?? (status >= 500 ? 'server_error' : 'request_failed');
