import { HttpException } from '@nestjs/common';

/**
 * An HTTP error whose body carries a stable machine code next to the English message:
 * `{ statusCode, code: 'ALERT_NOT_OPEN', message: '…', …params }`. The web translates `code` (with the
 * params) into the viewer's language and shows the message only for a code it does not know.
 */
export function codedError(status: number, code: string, message: string, params: Record<string, string | number> = {}): HttpException {
  return new HttpException({ statusCode: status, code, message, ...params }, status);
}
