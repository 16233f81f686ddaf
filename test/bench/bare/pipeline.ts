import { connectTestNats, freePort, HARNESS_USER, launch, ManagedProcess, natsEnv, ServerSet } from '@inviaro/test-harness';
import { join } from 'node:path';
import { BARE_INBOUND, BARE_EVENTS, BARE_TABLE_SQL, createBareStreams } from './topology';

export interface BarePipeline {
  /** Where the edge takes widget messages. */
  url: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

/** The bare pipeline's three processes on the given servers, their streams and table created first. */
export async function startBarePipeline(servers: ServerSet, sql: (text: string) => Promise<unknown>, widgetSecret: string): Promise<BarePipeline> {
  await sql(BARE_TABLE_SQL);
  const nc = await connectTestNats(servers.natsUrl);
  await createBareStreams(await nc.jetstreamManager());
  await nc.close();
  const port = await freePort();
  const env = { ...process.env, ...natsEnv(servers.natsUrl, HARNESS_USER), DATABASE_URL: servers.databaseUrl, PORT: String(port), WIDGET_SECRET: widgetSecret };
  const start = (name: string, file: string, extra: NodeJS.ProcessEnv = {}) =>
    launch(name, process.execPath, [join(__dirname, file)], { env: { ...env, ...extra }, readyWhen: /ready/ });
  const processes = [
    await start('inserter', 'inserter.js'),
    await start('consumer', 'consumer.js', {
      CONSUMER: BARE_INBOUND.consumer,
      STREAM: BARE_INBOUND.stream,
      FILTER_SUBJECT: BARE_INBOUND.subject,
      OUT_SUBJECT: BARE_EVENTS.subject,
    }),
    await start('edge', 'edge.js'),
  ];
  return {
    url: `http://127.0.0.1:${port}`,
    processes,
    stop: async () => {
      await Promise.allSettled(processes.map((p) => p.stop()));
    },
  };
}
