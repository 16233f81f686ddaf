import { BaseRpcContext } from '@nestjs/microservices';
import { JsMsg, Msg } from 'nats';

/** What an event handler may know of the message it is handling beyond its payload. */
export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  getMessage(): JsMsg {
    return this.args[0];
  }
}

/** What a request handler may know of the request beyond its payload (its subject, its headers). */
export class JetStreamRequestContext extends BaseRpcContext<[Msg]> {
  getMessage(): Msg {
    return this.args[0];
  }
}
