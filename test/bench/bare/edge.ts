/**
 * The bare pipeline's edge (bench:e2e's twin of the gateway): node:http parses the JSON body and
 * answers 202 with a message id once JetStream has acknowledged the publish (deduplicated by a
 * message id derived from the visitor and client_message_id). Nothing else. NATS_URL, PORT from the environment.
 */
import { natsConnectionOptions, NatsSettings } from '@inviaro/jetstream';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'nats';
import { BARE_INBOUND } from './topology';

async function main() {
  const nc = await connect({ ...natsConnectionOptions(process.env as unknown as NatsSettings), noAsyncTraces: true });
  const js = nc.jetstream();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      let body: { visitor_token: string; client_message_id: string; text: string; user_id?: string; user_hash?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
      } catch {
        return answer(400, { error: { code: 'invalid_json', message: 'not JSON' } });
      }
      const id = randomUUID();
      const data = {
        message_id: id,
        visitor: body.visitor_token,
        text: body.text,
        user_id: body.user_id,
        user_hash: body.user_hash,
        received_at: new Date().toISOString(),
      };
      js.publish(BARE_INBOUND.subject, JSON.stringify({ id, data }), { msgID: `${body.visitor_token}:${body.client_message_id}` }).then(
        () => answer(202, { message_id: id }),
        () => answer(503, { error: { code: 'unavailable', message: 'not stored' } }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
}

void main();
