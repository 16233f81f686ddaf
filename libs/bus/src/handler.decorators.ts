import { decodeEvent, EventContract, RequestContract, validateData } from '@inviaro/contracts';
import { EventHandlerExtras, RequestHandlerExtras } from '@inviaro/jetstream';
import { EventPattern, MessagePattern } from '@nestjs/microservices';

export type EventHandlerOptions = Pick<EventHandlerExtras, 'broadcast'>;

/**
 * Marks a method as the handler of one event. The transport validates the payload against the
 * contract before the method runs and acknowledges only once the method's promise resolves.
 */
export function OnEvent(contract: EventContract<object>, options: EventHandlerOptions = {}): MethodDecorator {
  const extras: EventHandlerExtras = { decode: (data) => decodeEvent(contract, data), ...options };
  return EventPattern(contract.subject, extras);
}

/** Marks a method as the responder of a request/reply subject, shared by a service's instances; the request is validated first. */
export function OnRequest(contract: RequestContract<object, unknown>): MethodDecorator {
  const extras: RequestHandlerExtras = { decode: (request) => validateData(contract, request) };
  return MessagePattern(contract.subject, extras);
}
