import { BaseRpcContext } from '@nestjs/microservices';
import { JsMsg } from 'nats';

/** What a handler may know of the message it is handling beyond its payload. */
export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  getMessage(): JsMsg {
    return this.args[0];
  }
}
