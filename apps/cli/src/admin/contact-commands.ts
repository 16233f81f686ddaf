import type { ContactExport, Erasure } from '@inviaro/contracts';
import { Command } from 'commander';
import { jsonLine } from '../events/text';
import { AdminApi, AdminOptions } from './admin-api';
import { adminCommand, print } from './index';

/** The gateway answers an erasure within 60 s (it reads the event streams through); this waits a little longer. */
const ERASURE_WAIT_MS = 70_000;

/** `inviaro contact erase|export`: the right of erasure and the right of access (docs/security.md#erasure). */
export function registerContactCommands(program: Command): void {
  const contact = program.command('contact').description("a contact's data: erase it or export it (admin API)");

  adminCommand(contact, 'erase', 'erase a contact (by id, or --user) everywhere: its conversations, messages, timeline, failure records and event copies')
    .argument('[contact-id]', 'the contact id (`GET /v1/admin/contacts?user_id=`)')
    .option('--user <user-id>', 'the user id instead of a contact id (also one never seen: its late events are dropped)')
    .action(async (id: string | undefined, options: AdminOptions & { user?: string; json?: boolean }) => {
      if ((id === undefined) === (options.user === undefined)) throw new Error('name the contact: a contact id, or --user <user-id> (not both)');
      const path = id === undefined ? `contacts?user_id=${encodeURIComponent(options.user!)}` : `contacts/${encodeURIComponent(id)}`;
      const { erased } = await new AdminApi(options).call<Erasure>('DELETE', path, undefined, ERASURE_WAIT_MS);
      print(options.json, { erased }, () =>
        ['erased:', ...Object.entries(erased).map(([what, count]) => `  ${what.replace(/_/g, ' ').padEnd(18)} ${count}`)].join('\n'),
      );
    });

  adminCommand(contact, 'export', 'everything held about a contact, as JSON (right of access)')
    .argument('<contact-id>', 'the contact id')
    .action(async (id: string, options: AdminOptions) => {
      // JSON either way: the export is for the person it is about, not for a table.
      console.log(jsonLine(await new AdminApi(options).call<ContactExport>('GET', `contacts/${encodeURIComponent(id)}/export`)));
    });
}
