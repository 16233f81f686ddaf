import { ReadBy, Setting } from './setting';

/**
 * What only the command line reads, besides the services' settings it shares (NATS_*, DATABASE_URL,
 * INVIARO_MASTER_KEYS). Declared here so that every variable has one home and one row in the README's table.
 */
@ReadBy('CLI')
export class CliSettings {
  @Setting('the admin token for `widget …` and `failures list` (or `--token`, which the process list shows)', {
    shownDefault: "— (`.run/`: the demo workspace's)",
    sensitive: true,
  })
  INVIARO_ADMIN_TOKEN?: string;

  @Setting('the gateway for `widget …` and `failures list` (or `--gateway`)', { shownDefault: '`.run/`, else `http://127.0.0.1:8080`' })
  INVIARO_GATEWAY_URL?: string;

  @Setting('where `npm start` keeps data, logs and `connection.json`, and where the CLI looks for them', {
    usedBy: 'start command, CLI',
    shownDefault: '`<checkout>/.run`',
  })
  INVIARO_RUN_DIR?: string;
}
