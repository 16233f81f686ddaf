import { KeyRing } from '@inviaro/crypto';
import { CommonConfig } from '@inviaro/observability';
import { IsInt, Matches, Max, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

@ValidatorConstraint({ name: 'masterKeys' })
class UsableKeyRing implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown): boolean {
    try {
      KeyRing.parse(String(value ?? ''));
      return true;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  defaultMessage(): string {
    return `INVIARO_MASTER_KEYS is not a usable key ring (${this.problem}); expected "kid:base64-32-bytes[,kid:...]", newest last (npx inviaro secrets new-master-key)`;
  }
}

/** Settings of the services that hold widget secrets: the gateway (writes) and the verifier (reads). */
export class SecretsConfig extends CommonConfig {
  /** Password required: the cache holds decrypted secrets. */
  @Matches(/^rediss?:\/\/[^@/]*:[^@/]+@[^/]+/, { message: 'REDIS_URL must look like redis://:password@host:port (a password is required)' })
  REDIS_URL: string = '';

  @Validate(UsableKeyRing)
  INVIARO_MASTER_KEYS: string = '';

  /** How long a decrypted secret may live in Redis. */
  @IsInt()
  @Min(1)
  @Max(3600)
  SECRET_CACHE_TTL_SECONDS: number = 300;
}
