import { Controller, Get, HttpStatus, Injectable, Module, Res } from '@nestjs/common';
import { Response } from 'express';

/** A dependency the service cannot work without; `check` rejects when it is not usable now. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

const CHECK_TIMEOUT_MS = 2_000;
/** How long a background loop may be down (being recreated) before readiness fails. */
const LOOP_GRACE_MS = 5_000;

/**
 * A background loop the service cannot work without (an event consumer). It reports down when it
 * ends and up once it runs again; one that stays down past the grace fails `/health/ready` under
 * its own name.
 */
export class LoopHealth {
  private downSince?: number;
  private reason = '';

  private constructor(readonly name: string) {}

  /** A new loop of this process, checked by readiness until it is forgotten. */
  static watch(name: string): LoopHealth {
    const health = new LoopHealth(name);
    loops.add(health);
    return health;
  }

  /** The loop was stopped on purpose (shutdown): it no longer counts. */
  forget(): void {
    loops.delete(this);
  }

  up(): void {
    this.downSince = undefined;
  }

  down(reason: string): void {
    this.downSince ??= Date.now();
    this.reason = reason;
  }

  readiness(): ReadinessCheck {
    return {
      name: this.name,
      check: () =>
        this.downSince !== undefined && Date.now() - this.downSince > LOOP_GRACE_MS
          ? Promise.reject(new Error(`down since ${new Date(this.downSince).toISOString()}: ${this.reason}`))
          : Promise.resolve(),
    };
  }
}

/** Every loop of this process, for readiness; a stopped loop leaves it. */
const loops = new Set<LoopHealth>();

/** The checks behind `/health/ready`, added by the service once its dependencies exist. */
@Injectable()
export class ReadinessChecks {
  private readonly checks: ReadinessCheck[] = [];

  add(...checks: ReadinessCheck[]): void {
    this.checks.push(...checks);
  }

  async run(): Promise<Record<string, string>> {
    const checks = [...this.checks, ...[...loops].map((loop) => loop.readiness())];
    return Object.fromEntries(await Promise.all(checks.map(async ({ name, check }): Promise<[string, string]> => [name, await outcome(check)])));
  }
}

@Controller('health')
class HealthController {
  constructor(private readonly readiness: ReadinessChecks) {}

  /** The process answers: restart it if this fails. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Every dependency answers: send it traffic only while this passes. */
  @Get('ready')
  // The status is set here, not thrown: a service's exception filter would reshape the body and drop the checks.
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks = await this.readiness.run();
    const ok = Object.values(checks).every((result) => result === 'ok');
    if (!ok) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}

async function outcome(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)))]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** `/health/live` and `/health/ready`. */
@Module({ controllers: [HealthController], providers: [ReadinessChecks], exports: [ReadinessChecks] })
export class HealthModule {}
