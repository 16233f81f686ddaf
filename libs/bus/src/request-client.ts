import { RequestContract, RequestFault, RequestReply } from '@inviaro/contracts';
import { NATS_CONNECTION } from '@inviaro/jetstream';
import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';

/** A request that got no answer it could use, and whose fault that is (no answer at all is the service's). */
export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(
    message: string,
    readonly fault: RequestFault,
  ) {
    super(message);
  }
}

/** Asks another service a question over NATS request/reply and waits for its answer. */
@Injectable()
export class RequestClient {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async request<Req extends object, Res>(contract: RequestContract<Req, Res>, data: Req, timeoutMs = 2_000): Promise<Res> {
    let reply: RequestReply<Res>;
    try {
      reply = (await this.nc.request(contract.subject, Buffer.from(JSON.stringify(data)), { timeout: timeoutMs })).json<RequestReply<Res>>();
    } catch (error) {
      throw new RequestFailed(`${contract.subject}: no answer (${error instanceof Error ? error.message : String(error)})`, 'service');
    }
    // A responder older than the fault field: its failure is taken as its own.
    if (!reply.ok) throw new RequestFailed(reply.error, reply.fault ?? 'service');
    return reply.data;
  }
}
