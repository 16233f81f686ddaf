import { readConfig } from './config';
import { createDemoServer } from './server';

/**
 * The demo product: `node dist/apps/demo/src/main.js` with GATEWAY_URL, WIDGET_KEY, WIDGET_SECRET
 * (or INVIARO_WIDGET_SECRET), ADMIN_TOKEN and optionally DEMO_PORT (8090), DEMO_HOST (127.0.0.1),
 * DEMO_ORIGIN (http://DEMO_HOST:DEMO_PORT, one of the widget's allowed origins).
 */
function main(): void {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const server = createDemoServer(config);
  server.on('error', (error) => {
    console.error(`demo: ${error.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`demo ready on http://${config.host}:${port} (product /, operator inbox /inbox; widget from ${config.gatewayUrl})`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
