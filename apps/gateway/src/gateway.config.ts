import { SecretsConfig } from '@inviaro/persistence';

export class GatewayConfig extends SecretsConfig {}
