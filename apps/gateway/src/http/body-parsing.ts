import { readIntegerUserId } from '@inviaro/contracts';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response } from 'express';
import { Server } from 'node:http';
import { Duplex } from 'node:stream';
import { ApiError } from './api-error';

/** The largest body any call takes (413 past it): 10,000 characters of text fit with room to spare. */
const BODY_LIMIT = '100kb';

/** How deep a JSON body may nest: every body of the API is flat; this leaves room, and keeps recursive code (validation) off a deep body. */
const MAX_BODY_DEPTH = 32;

/** The depth of a parsed JSON value, counted without recursion (the value itself may be 50,000 levels deep). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0 && deepest <= MAX_BODY_DEPTH) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function limitNesting(request: Request, _response: Response, next: NextFunction): void {
  if (depthOf(request.body) > MAX_BODY_DEPTH) return next(new ApiError(400, 'invalid_request', `body: is nested deeper than ${MAX_BODY_DEPTH} levels`));
  next();
}

/** A JSON body's bytes as received, kept by the parser for `exactIntegerUserId`. */
type WithJsonSource = Request & { jsonSource?: Buffer };

function keepJsonSource(request: WithJsonSource, _response: Response, source: Buffer): void {
  request.jsonSource = source;
}

/**
 * A `user_id` that came as a number is read again from the body's text, where an integer keeps every
 * digit (`readIntegerUserId`): JSON.parse alone rounds 9007199254740993 to ...992. Only then, since a
 * reviver walks the body recursively: the body is known to be shallow here, and most ids are strings.
 */
function exactIntegerUserId(request: WithJsonSource, _response: Response, next: NextFunction): void {
  const body = request.body as { user_id?: unknown } | undefined;
  if (request.jsonSource && typeof body?.user_id === 'number') {
    // TextDecoder drops a byte-order mark, as the parser's decoding did.
    body.user_id = (JSON.parse(new TextDecoder().decode(request.jsonSource), readIntegerUserId) as { user_id?: unknown }).user_id;
  }
  next();
}

/**
 * The body parser's refusals (http-errors with `expose`): a body over the limit, one that is not
 * JSON, or one it cannot decode. Answered in our words, never the parser's, which can quote the body.
 */
function unreadableBody(error: { expose?: boolean; status?: number; type?: string }, _request: Request, _response: Response, next: NextFunction): void {
  const { expose, status, type } = error;
  if (expose !== true || status === undefined || status < 400 || status > 499) return next(error);
  if (type === 'entity.too.large') return next(new ApiError(413, 'payload_too_large', `body: is larger than ${BODY_LIMIT}`));
  if (type === 'entity.parse.failed') return next(new ApiError(400, 'invalid_request', 'body: is not valid JSON'));
  if (status === 415) return next(new ApiError(415, 'unsupported_media_type', 'body: its charset or encoding is not supported (send UTF-8 JSON)'));
  next(new ApiError(400, 'invalid_request', 'body: could not be read'));
}

/**
 * A request Node's HTTP parser refuses before any handler runs (a URL or headers past its 16 KB
 * limit, bytes that are not HTTP) still gets the error shape: 431 for the size, 400 otherwise.
 */
function refuseUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'the URL and headers are larger than 16 KB']
      : [400, 'Bad Request', 'invalid_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * How the gateway reads a request before any handler: its body parsers with their limits, and
 * every refusal on the way (parser, nesting, Node's HTTP parser) in the contract's error shape.
 */
export function parseBodies(app: INestApplication): void {
  (app.getHttpServer() as Server).on('clientError', refuseUnparsable);
  // Both parsers Nest would add, here, so that their refusals pass through unreadableBody.
  (app as NestExpressApplication)
    .useBodyParser('json', { limit: BODY_LIMIT, verify: keepJsonSource })
    .useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: true });
  app.use(limitNesting, exactIntegerUserId, unreadableBody);
}
