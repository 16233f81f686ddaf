import { CommonConfig } from '@inviaro/observability';
import { IsInt, IsIP, Max, Min } from 'class-validator';

export class GatewayConfig extends CommonConfig {
  @IsIP()
  HOST: string = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 8080;
}
