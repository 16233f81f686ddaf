import { MessageHandler } from '@nestjs/microservices';
import { Msg, NatsConnection, Subscription } from 'nats';
import { Logger } from 'pino';
import { lastValueFrom, Observable } from 'rxjs';
import { describeError } from './describe-error';
import { JetStreamRequestContext } from './jetstream.context';
import { Processing } from './processing-hooks';
import { isRefusal } from './request-refused';
import { RequestHandlerExtras } from './routing';

/**
 * The request/reply side of the transport: each request subject is answered by one of the
 * service's instances (a queue group), the request validated first, the answer a RequestReply.
 */
export class Responder {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    /** The queue group this service's instances share. */
    private readonly queue: string,
    private readonly logger: Logger,
    /** Nest's reading of what a handler returned (a value, a promise or an observable). */
    private readonly toObservable: (result: unknown) => Observable<unknown>,
    /** Nest's processing hooks around each handler. */
    private readonly processing: Processing,
    /** Which errors say that a request is invalid. */
    private readonly isInvalidMessage: (error: unknown) => boolean,
  ) {}

  respond(subject: string, handler: MessageHandler): void {
    const subscription = this.nc.subscribe(subject, {
      queue: this.queue,
      callback: (error, message) => {
        if (error) return this.logger.error({ subject, err: error.message }, 'request subscription failed');
        void this.reply(message, handler);
      },
    });
    this.subscriptions.push(subscription);
  }

  /** Takes no more requests. */
  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private async reply(message: Msg, handler: MessageHandler): Promise<void> {
    try {
      const { decode } = (handler.extras ?? {}) as RequestHandlerExtras;
      const request: unknown = message.json();
      const data = decode ? decode(request) : request;
      const context = new JetStreamRequestContext([message]);
      const response = await this.processing(context, async () => {
        const result: unknown = await handler(data, context);
        return lastValueFrom(this.toObservable(result), { defaultValue: null });
      });
      message.respond(Buffer.from(JSON.stringify({ ok: true, data: response })));
    } catch (error) {
      // The contracts' RequestReply on the wire: why there is no answer, and whose fault that is.
      message.respond(Buffer.from(JSON.stringify({ ok: false, error: describeError(error), fault: this.faultOf(error) })));
    }
  }

  /** A request that fails validation, is not JSON, or is refused by its responder is the caller's fault; anything else the service's. */
  private faultOf(error: unknown): 'caller' | 'service' {
    return this.isInvalidMessage(error) || error instanceof SyntaxError || isRefusal(error) ? 'caller' : 'service';
  }
}
