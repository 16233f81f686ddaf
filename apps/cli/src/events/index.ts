import { Command } from 'commander';
import { deadLettersCommand } from './dead-letters';
import { statusCommand } from './status';
import { tailCommand } from './tail';

/** `inviaro events ...`: watch the event streams, their consumers and dead letters (NATS_URL). */
export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('watch the event streams, their consumers and dead letters (NATS_URL, default nats://127.0.0.1:4222)');

  events
    .command('tail')
    .description('print a line per event (never a user hash, secret or token), from --since or from now, following live until Ctrl-C')
    .argument(
      '[subject-filter]',
      'a subject of INVIARO_EVENTS, wildcards allowed (contact.*, message.stored); not message.inbound (INVIARO_INBOUND is a work queue)',
    )
    .option('--since <when>', 'replay from a duration ago (30s, 10m, 1h, 2d) or an ISO time (2026-11-24T08:00:00Z)')
    .option('--json', 'one JSON object per line')
    .action((filter: string | undefined, options: { since?: string; json?: boolean }) => tailCommand(filter, options));

  events
    .command('status')
    .description('streams, every consumer with its pending / unacknowledged / redelivered counts and whether it looks stuck, dead letters per subject')
    .option('--stuck-after <seconds>', 'work waiting and no delivery or acknowledgement for this long looks stuck (60, 90s, 5m)', '60')
    .option('--json', 'one JSON object')
    .action((options: { json?: boolean; stuckAfter?: string }) => statusCommand(options));

  events
    .command('dead-letters')
    .description('list dead letters; with --redrive, re-publish their originals to their subjects and remove them')
    .option('--redrive', 're-publish each selected original (fetched from its stream) with a fresh Nats-Msg-Id, then remove its dead letter')
    .option('--subject <subject>', 'only dead letters of this original subject (wildcards allowed)')
    .option('--seq <n>', "only the dead letters of the original at this stream sequence (the ORIGINAL column's #n)")
    .option('--json', 'one JSON object per line')
    .action((options: { json?: boolean; redrive?: boolean; subject?: string; seq?: string }) => deadLettersCommand(options));
}
