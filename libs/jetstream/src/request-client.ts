import { RequestContract, RequestReply } from '@inviaro/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION } from './event-publisher';

/** Asks another service a question over NATS request/reply and waits for its answer. */
@Injectable()
export class RequestClient {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async request<Req extends object, Res>(contract: RequestContract<Req, Res>, data: Req, timeoutMs = 2_000): Promise<Res> {
    const message = await this.nc.request(contract.subject, Buffer.from(JSON.stringify(data)), { timeout: timeoutMs });
    const reply = message.json<RequestReply<Res>>();
    if (!reply.ok) throw new Error(`${contract.subject} failed: ${reply.error}`);
    return reply.data;
  }
}
