import { ClaimCheck, ClaimCheckResult, ClaimKind, InboundClaim, RequestReply } from '@inviaro/contracts';
import { NatsConnection } from 'nats';
import { connectTestNats } from './nats-auth';

/** Asks the verifiers "does this claim verify now?" the way the gateway does for history reads, as the gateway's NATS user (a verifier replies into the askers' inboxes only). */
export class VerifierProbe {
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(natsUrl: string): Promise<VerifierProbe> {
    return new VerifierProbe(await connectTestNats(natsUrl, {}, 'gateway'));
  }

  async check(widgetId: string, claim: InboundClaim | null): Promise<ClaimCheckResult> {
    const message = await this.nc.request(ClaimCheck.subject, Buffer.from(JSON.stringify({ widget_id: widgetId, claim })), { timeout: 5_000 });
    const reply = message.json<RequestReply<ClaimCheckResult>>();
    if (!reply.ok) throw new Error(reply.error);
    return reply.data;
  }

  close(): Promise<void> {
    return this.nc.drain();
  }
}

/** The verifier's answer for a claim that verifies as `userId` under `secretVersion`; a token's also says until when. */
export function verifiedAs(userId: string, secretVersion: number, by: ClaimKind): ClaimCheckResult {
  const answer: ClaimCheckResult = { verified: true, user_id: userId, secret_version: secretVersion, verified_by: by };
  return by === 'user_jwt' ? { ...answer, verified_until: expect.any(String) as string } : answer;
}
