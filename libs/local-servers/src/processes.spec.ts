import { createServer, Server } from 'node:net';
import { firstEphemeralPort, freePort } from './processes';

const listening = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('freePort', () => {
  it('picks a port below the kernel’s ephemeral range, where no outgoing connection can take it before the server binds it', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(firstEphemeralPort());
    const server = await listening(port);
    server.close();
  });

  it('never picks a port something listens on, nor the same port twice in a row', async () => {
    const held = await listening(await freePort());
    try {
      const heldPort = (held.address() as { port: number }).port;
      const picked: number[] = [];
      // More picks than one lane holds ports: the pick comes round to the held port and passes it.
      for (let i = 0; i < 2_000; i++) picked.push(await freePort());
      expect(picked).not.toContain(heldPort);
      expect(picked.filter((port, i) => port === picked[i - 1])).toEqual([]);
    } finally {
      held.close();
    }
  });
});
