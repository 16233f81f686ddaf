import { decodeEvent, EventContract, RequestContract, validateData } from '@inviaro/contracts';
import { HandlerExtras } from '@inviaro/jetstream';
import { EventPattern, MessagePattern } from '@nestjs/microservices';

export type EventHandlerOptions = Pick<HandlerExtras, 'broadcast'>;

/**
 * Marks a method as the handler of one event. The transport validates the payload against the
 * contract before the method runs and acknowledges only once the method's promise resolves.
 */
export function OnEvent(contract: EventContract<object>, options: EventHandlerOptions = {}): MethodDecorator {
  const extras: HandlerExtras = { decode: (data) => decodeEvent(contract, data as Uint8Array), ...options };
  return EventPattern(contract.subject, extras);
}

/** Marks a method as the responder of a request/reply subject, shared by a service's instances; the request is validated first. */
export function OnRequest(contract: RequestContract<object, unknown>): MethodDecorator {
  const extras: HandlerExtras = { decode: (request) => validateData(contract, request) };
  return MessagePattern(contract.subject, extras);
}
