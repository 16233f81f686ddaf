import { CommonConfig } from '@inviaro/observability';

export class GatewayConfig extends CommonConfig {}
