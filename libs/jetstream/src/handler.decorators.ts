import { EventContract, RequestContract } from '@inviaro/contracts';
import { EventPattern, MessagePattern } from '@nestjs/microservices';

export interface EventHandlerOptions {
  /** Each process gets every event (an ephemeral consumer) instead of sharing a durable one with its siblings. */
  broadcast?: boolean;
}

/**
 * Marks a method as the handler of one event. The transport validates the payload against the
 * contract before the method runs and acknowledges only once the method's promise resolves.
 */
export function OnEvent(contract: EventContract<object>, options: EventHandlerOptions = {}): MethodDecorator {
  return EventPattern(contract.subject, { contract, ...options });
}

/** Marks a method as the responder of a request/reply subject, shared by a service's instances; the request is validated first. */
export function OnRequest(contract: RequestContract<object, unknown>): MethodDecorator {
  return MessagePattern(contract.subject, { contract });
}
