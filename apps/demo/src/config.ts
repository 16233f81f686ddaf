/** The demo's configuration, from the environment; a missing variable stops it with its name. */
export interface DemoConfig {
  /** The gateway as the browser reaches it (v1.js and the widget API), and as this server reaches the admin API. */
  gatewayUrl: string;
  widgetKey: string;
  /** Stays on this server: it signs user ids (INVIARO_WIDGET_SECRET in the customer docs). */
  widgetSecret: string;
  /** The workspace's admin token, for the inbox; used server-side only. */
  adminToken: string;
  host: string;
  port: number;
  /** This site's origin as browsers see it (one of the widget's allowed origins). */
  origin: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const missing: string[] = [];
  const need = (name: string, value: string | undefined) => {
    if (!value) missing.push(name);
    return value ?? '';
  };
  const gatewayUrl = need('GATEWAY_URL', env.GATEWAY_URL).replace(/\/+$/, '');
  const widgetKey = need('WIDGET_KEY', env.WIDGET_KEY);
  const widgetSecret = need('WIDGET_SECRET (or INVIARO_WIDGET_SECRET)', env.WIDGET_SECRET || env.INVIARO_WIDGET_SECRET);
  const adminToken = need('ADMIN_TOKEN', env.ADMIN_TOKEN);
  if (missing.length) throw new Error(`missing environment: ${missing.join(', ')}`);
  const port = Number(env.DEMO_PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DEMO_PORT: not a port: ${env.DEMO_PORT}`);
  try {
    new URL(gatewayUrl);
  } catch {
    throw new Error(`GATEWAY_URL: not a URL: ${gatewayUrl}`);
  }
  const host = env.DEMO_HOST || '127.0.0.1';
  return { gatewayUrl, widgetKey, widgetSecret, adminToken, host, port, origin: (env.DEMO_ORIGIN || `http://${host}:${port}`).replace(/\/+$/, '') };
}
