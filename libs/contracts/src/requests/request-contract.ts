/** A NATS request/reply subject answered by one service's instances (a queue group), with the class that validates the request. */
export interface RequestContract<Req extends object, Res> {
  subject: string;
  dataClass: new () => Req;
  /** Type-level only: what the responder answers. */
  readonly response?: Res;
}

export function defineRequest<Req extends object, Res>(subject: string, dataClass: new () => Req): RequestContract<Req, Res> {
  return { subject, dataClass };
}

/** Whose fault a failed request is: the caller's (asking again the same way fails again) or the service's (it may work later). */
export type RequestFault = 'caller' | 'service';

/** The reply's wire shape: the responder's answer, or why it could not give one and whose fault that is. */
export type RequestReply<Res> = { ok: true; data: Res } | { ok: false; error: string; fault: RequestFault };
