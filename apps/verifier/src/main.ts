import 'reflect-metadata';
import { exitOnStartFailure, JetStreamModule, runService } from '@inviaro/jetstream';
import { createLogger, loadConfig } from '@inviaro/observability';
import { VerifierModule } from './verifier.module';
import { VerifierConfig } from './verifier.config';

const logger = createLogger('verifier');

async function main() {
  const config = loadConfig(VerifierConfig);
  await runService({
    service: 'verifier',
    config,
    logger,
    rootModule: (nc) => ({ module: VerifierModule, imports: [JetStreamModule.forRoot(nc)] }),
  });
}

main().catch(exitOnStartFailure(logger));
