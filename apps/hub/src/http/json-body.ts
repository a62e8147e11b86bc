import { HttpException, HttpStatus, SetMetadata } from '@nestjs/common';
import express, { type Request, type Response } from 'express';

/** Every JSON body but photo uploads: logins, commands, filters, rules. */
export const SMALL_JSON_LIMIT = '256kb';
/** Watchlist enrolment and photo search: up to 8 base64 photos of 8 MB each. */
export const PHOTO_JSON_LIMIT = '64mb';

export const BODY_LIMIT_KEY = 'cg:body-limit';
/** The route takes photos in its JSON body: the large limit applies, once the caller is authenticated and authorised. */
export const PhotoBody = () => SetMetadata(BODY_LIMIT_KEY, PHOTO_JSON_LIMIT);

const parsers = new Map<string, ReturnType<typeof express.json>>();
const parserFor = (limit: string) => {
  let p = parsers.get(limit);
  if (!p) parsers.set(limit, (p = express.json({ limit, type: () => true })));
  return p;
};

/** Whether the request carries a body at all (an empty POST does not). */
const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number.parseInt(req.headers['content-length'] ?? '0', 10) > 0;

/**
 * Parses a request's JSON body with the route's limit. The hub installs no global body parser: bodies
 * are read here, by the access guard, after the credential is checked (public routes: with the small
 * limit), so an anonymous caller cannot make the hub parse megabytes. A body that is not JSON
 * (form-encoded, text) is refused with 415; one over the limit with 413; malformed JSON with 400.
 */
export async function readJsonBody(req: Request, limit: string = SMALL_JSON_LIMIT): Promise<void> {
  if ((req as { _body?: boolean })._body || !hasBody(req)) return;
  if (!req.is(['application/json', '+json'])) {
    throw new HttpException(
      {
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'json_required',
        message: 'send the body as JSON (content-type: application/json)',
      },
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  await new Promise<void>((resolve, reject) =>
    parserFor(limit)(req, {} as Response, (e?: unknown) => {
      if (!e) return resolve();
      const err = e as { status?: number; type?: string; limit?: number; message?: string };
      if (err.type === 'entity.too.large')
        return reject(
          new HttpException(
            {
              statusCode: 413,
              error: 'Payload Too Large',
              code: 'body_too_large',
              params: { limit },
              message: `body larger than ${limit}`,
            },
            HttpStatus.PAYLOAD_TOO_LARGE,
          ),
        );
      reject(
        new HttpException(
          { statusCode: err.status ?? 400, error: 'Bad Request', message: `body is not valid JSON: ${err.message ?? 'parse error'}` },
          err.status ?? 400,
        ),
      );
    }),
  );
}
