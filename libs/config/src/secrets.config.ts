import { KeyRing } from '@inviaro/crypto';
import { CommonConfig } from './common.config';
import { IntSetting, ReadBy, Setting } from './setting';
import { Matches, Validate, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** How a ring's errors name its keys. */
export function keyName(setting: string | undefined): string {
  return setting === 'INVIARO_CLAIM_KEYS' ? 'claim key' : 'master key';
}

@ValidatorConstraint({ name: 'keyRing' })
class UsableKeyRing implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown, args?: ValidationArguments): boolean {
    try {
      KeyRing.parse(typeof value === 'string' ? value : '', keyName(args?.property));
      return true;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  defaultMessage(args?: ValidationArguments): string {
    return `${args?.property ?? 'the key ring'} is not a usable key ring (${this.problem}); expected "kid:base64-32-bytes[,kid:...]", newest last (npx inviaro secrets new-master-key)`;
  }
}

/** Settings of the services that hold widget secrets: the gateway (writes) and the verifier (reads). */
@ReadBy('gateway, verifier')
export class SecretsConfig extends CommonConfig {
  /** Password required: the cache holds decrypted secrets. */
  @Matches(/^rediss?:\/\/[^@/]*:[^@/]+@[^/]+/, { message: 'REDIS_URL must look like redis://:password@host:port (a password is required)' })
  @Setting('`redis://:password@host:port`; a password is required, and the server must not persist', { shownDefault: '— (required)', sensitive: true })
  REDIS_URL: string = '';

  @Validate(UsableKeyRing)
  @Setting('key ring sealing widget secrets: `kid:base64-32-bytes[,kid:...]`, newest last', {
    usedBy: 'gateway, verifier, CLI',
    shownDefault: '— (required)',
    sensitive: true,
  })
  INVIARO_MASTER_KEYS: string = '';

  /** Seals the claim of message.inbound on the bus (the gateway seals with the newest, the verifier opens with any). */
  @Validate(UsableKeyRing)
  @Setting('key ring sealing each claim on the bus (`message.inbound`): same format, newest last; the gateway seals, the verifier opens', {
    shownDefault: '— (required)',
    sensitive: true,
  })
  INVIARO_CLAIM_KEYS: string = '';

  /** How long a decrypted secret may live in Redis. */
  @IntSetting(1, 3600, 'lifetime of a decrypted secret in Redis')
  SECRET_CACHE_TTL_SECONDS: number = 300;
}
