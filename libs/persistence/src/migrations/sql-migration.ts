import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantTables } from '../database-roles';

/** What a migration of SQL alone runs: its statements, the tables it then grants (TABLE_GRANTS), and the statements that undo it, in order. */
export interface MigrationSteps {
  up: string;
  grants?: readonly string[];
  down: readonly string[];
}

/**
 * The base of a migration of SQL alone, declared as `class Name1765000000000 extends sqlMigration({ ... }) {}`:
 * TypeORM reads the migration's name and timestamp from the class's own name.
 */
export function sqlMigration(steps: MigrationSteps): new () => MigrationInterface {
  return class implements MigrationInterface {
    async up(db: QueryRunner): Promise<void> {
      await db.query(steps.up);
      if (steps.grants) await grantTables(db, steps.grants);
    }

    async down(db: QueryRunner): Promise<void> {
      for (const statement of steps.down) await db.query(statement);
    }
  };
}
