import { HttpException, type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { codeForStatus, type ApiErrorBody } from '../../../../libs/contracts/src/index.js';

/**
 * An error a user can meet, with a stable code the web translates (`err_<code>` in the web's i18n) and
 * the values its sentence needs. `message` stays English for logs and API clients.
 *   throw new CodedError(409, 'user_exists', `user ${name} exists`, { username: name });
 */
export class CodedError extends HttpException {
  constructor(status: number, code: string, message: string, params?: ApiErrorBody['params'], extra: Record<string, unknown> = {}) {
    super({ statusCode: status, code, message, ...(params ? { params } : {}), ...extra }, status);
  }
}

/**
 * An HTTP error whose body carries a stable machine code next to the English message:
 * `{ statusCode, code: 'ALERT_NOT_OPEN', message: '…', …params }`. The web translates `code` (with the
 * params) into the viewer's language and shows the message only for a code it does not know.
 */
export function codedError(status: number, code: string, message: string, params: Record<string, string | number> = {}): HttpException {
  return new HttpException({ statusCode: status, code, message, ...params }, status);
}

/**
 * Gives every HttpException's body a `code` (and keeps its other fields): one a thrower named
 * (CodedError, or `{ code }` in the body), else one by status (`codeForStatus`). Other errors go to
 * Nest's default handler (500 without details).
 */
@Catch(HttpException)
export class CodedErrorFilter extends BaseExceptionFilter {
  override catch(e: HttpException, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(e, host);
    const status = e.getStatus();
    const r = e.getResponse();
    const body: Record<string, unknown> =
      typeof r === 'string' ? { statusCode: status, message: r } : { statusCode: status, ...(r as object) };
    if (Array.isArray(body.message)) body.message = body.message.join('; ');
    body.message ??= e.message;
    // The login lockout (429 with retryAfterS) says when to retry; the per-IP throttle is another 429.
    if (status === 429 && typeof body.retryAfterS === 'number' && !body.code) {
      body.code = 'login_locked';
      body.params = { seconds: body.retryAfterS };
    }
    body.code ??= codeForStatus(status);
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.status(status).json(body);
  }
}
