import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine';

/** The record, the read models, the outbox, holds and disposals. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('record_events')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('by_person', 'text')
    .addColumn('partner', 'text')
    .addColumn('role', 'text')
    .addColumn('acting_for', 'text')
    .addColumn('channel', 'text')
    .addColumn('what', 'text')
    .addColumn('reason', 'text')
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_events_pk', ['subject_id', 'instance', 'seq'])
    .execute();
  await db.schema.createIndex('record_events_at').on('record_events').columns(['at', 'subject_id', 'instance', 'seq']).execute();

  await db.schema
    .createTable('policies')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('subjects')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lead_partner', 'text')
    .addColumn('lead_status', 'text')
    .addColumn('partners', 'text', (c) => c.notNull())
    .addColumn('next_due_at', 'text')
    .addColumn('is_open', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('view', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subjects_pk', ['subject_id', 'instance'])
    .execute();
  await db.schema.createIndex('subjects_list').on('subjects').columns(['subject_type', 'started_at', 'subject_id']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    // A business id used again is a new case whose tasks must not overwrite the old case's.
    .addPrimaryKeyConstraint('tasks_pk', ['task_id', 'instance'])
    .execute();
  await db.schema.createIndex('tasks_subject').on('tasks').columns(['subject_id', 'instance']).execute();

  await db.schema
    .createTable('task_assignees')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('person', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_assignees_pk', ['task_id', 'instance', 'person'])
    .execute();
  await db.schema.createIndex('task_assignees_person').on('task_assignees').columns(['person', 'task_id', 'instance']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();

  await db.schema
    .createTable('holds')
    .addColumn('hold_id', 'text', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('placed_by', 'text', (c) => c.notNull())
    .addColumn('placed_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('lifted_by', 'text')
    .addColumn('lifted_at', 'text')
    .addColumn('lift_reason', 'text')
    .execute();
  await db.schema.createIndex('holds_subject').on('holds').column('subject_id').execute();

  await db.schema
    .createTable('disposals')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('disposed_at', 'text', (c) => c.notNull())
    .addColumn('disposed_by', 'text', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'text')
    .addPrimaryKeyConstraint('disposals_pk', ['subject_id', 'instance'])
    .execute();

  await db.schema
    .createTable('imports')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();

  // The record is append-only in the database itself, not only in our code: an UPDATE is refused,
  // and a DELETE only of a case whose disposal is recorded first (and which no hold keeps).
  if (engine === 'sqlite') {
    await sql`CREATE TRIGGER record_events_no_update BEFORE UPDATE ON record_events
      BEGIN SELECT RAISE(ABORT, 'the decision record is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER record_events_no_delete BEFORE DELETE ON record_events
      WHEN NOT EXISTS (SELECT 1 FROM disposals d WHERE d.subject_id = OLD.subject_id AND d.instance = OLD.instance)
        OR EXISTS (SELECT 1 FROM holds h WHERE h.subject_id = OLD.subject_id AND h.lifted_at IS NULL)
      BEGIN SELECT RAISE(ABORT, 'the decision record is append-only: only a recorded disposal of an unheld case removes it'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION record_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'the decision record is append-only'; END IF;
        IF NOT EXISTS (SELECT 1 FROM disposals d WHERE d.subject_id = OLD.subject_id AND d.instance = OLD.instance)
           OR EXISTS (SELECT 1 FROM holds h WHERE h.subject_id = OLD.subject_id AND h.lifted_at IS NULL) THEN
          RAISE EXCEPTION 'the decision record is append-only: only a recorded disposal of an unheld case removes it';
        END IF;
        RETURN OLD;
      END $$`.execute(db);
    await sql`CREATE TRIGGER record_events_guard BEFORE UPDATE OR DELETE ON record_events
      FOR EACH ROW EXECUTE FUNCTION record_events_guard()`.execute(db);
  }
}
