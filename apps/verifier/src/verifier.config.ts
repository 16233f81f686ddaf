import { CommonConfig } from '@inviaro/observability';

export class VerifierConfig extends CommonConfig {}
