import { RpcException } from '@nestjs/microservices';

/**
 * Thrown by a responder for a request that can never be answered as asked (a cursor it never
 * gave, say): the caller's fault. Its message goes back to the caller, so it names the field,
 * never its value. An RpcException, so that Nest hands it to the transport instead of "Internal server error".
 */
export class RequestRefused extends RpcException {
  constructor(reason: string) {
    super({ refused: true, message: reason });
  }
}

export function isRefusal(error: unknown): error is { refused: true; message: string } {
  return typeof error === 'object' && error !== null && (error as { refused?: unknown }).refused === true;
}
