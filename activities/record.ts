import { ApplicationFailure } from '@temporalio/activity';
import type { HistoryEntry } from '../domain/commission';
import { personById, type Partnership } from '../domain/partnership';
import { subjectTypeOfId, type Task } from '../domain/task';
import type { Database } from '../db';
import { appendEvents, historyEntryOf, RecordConflict, rowsOf, type RecordEvent } from '../db/record';
import { applySnapshot, type SubjectSnapshot } from '../db/readModels';

/** What a workflow hands the record after a change: its new events and what people now read. */
export interface SubjectSync {
  /** The projection's number for this case: a stale or retried write changes nothing. */
  seq: number;
  subject: SubjectSnapshot;
  tasks: Task[];
  /** History entries `from`, `from + 1`, … not yet in the record. */
  events: { from: number; entries: HistoryEntry[] };
  policyVersion: string;
}

/** A history entry as the record keeps it: the person's roles as the partnership file gives them. */
export function recordEventOf(partnership: Partnership, e: HistoryEntry, policyVersion: string): RecordEvent {
  const person = e.by ? personById(partnership, e.by) : undefined;
  return {
    at: e.at,
    event: e.event,
    by: e.by,
    partner: e.partner ?? person?.partner,
    role: person?.roles.join(', '),
    actingFor: e.actingFor,
    channel: e.channel,
    what: e.detail,
    reason: e.reason,
    policyVersion,
  };
}

/** A record that would have to be rewritten: retrying cannot fix it. */
function conflict(err: unknown): never {
  if (err instanceof RecordConflict) throw ApplicationFailure.create({ type: 'RecordConflict', message: err.message, nonRetryable: true });
  throw err;
}

export function createRecordActivities(deps: { database: Database; partnership: Partnership }) {
  const { database, partnership } = deps;
  return {
    /**
     * The record and the read models of one subject, in one transaction: the events are
     * appended to the hash chain (a retry rewrites nothing) and the subject and its tasks are
     * written if this projection is newer than the stored one.
     */
    async syncSubject(input: SubjectSync): Promise<{ applied: boolean; appended: number }> {
      const { subject } = input;
      return database
        .write(async (tx) => {
          const appended = await appendEvents(
            tx,
            { id: subject.id, instance: subject.instance, type: subject.type },
            input.events.from,
            input.events.entries.map((e) => recordEventOf(partnership, e, input.policyVersion)),
            new Date().toISOString(),
          );
          const applied = await applySnapshot(tx, input.seq, subject, input.tasks);
          return { applied, appended };
        })
        .catch(conflict);
    },

    /**
     * Entries `0` to `to` (exclusive) of one case's record, as the workflow kept them: what a
     * workflow that continued as new left in the record, read back when it must hand its whole
     * history on (a panel's to its commission).
     */
    async recordedHistory(input: { subjectId: string; instance: string; to: number }): Promise<HistoryEntry[]> {
      const out: HistoryEntry[] = [];
      for await (const r of rowsOf(database.db, input.subjectId, input.instance)) {
        if (r.seq >= input.to) break;
        out.push(historyEntryOf(r));
      }
      if (out.length !== input.to) throw new Error(`The record of ${input.subjectId} holds ${out.length} of its first ${input.to} entries`);
      return out;
    },

    /**
     * The record as the first release wrote it, one entry per activity: commissions started on
     * that release still call it until their lead-partner agreement ends (no
     * `lead-agreement-task-primitive` marker: see workflows/subject.ts, `recordsOneByOne`).
     */
    async recordEvent(input: { subjectId: string; seq: number; entry: HistoryEntry & { policyVersion: string }; instance?: string }): Promise<void> {
      const { policyVersion, ...entry } = input.entry;
      await database
        .write((tx) =>
          appendEvents(
            tx,
            { id: input.subjectId, instance: input.instance ?? 'legacy', type: subjectTypeOfId(input.subjectId) },
            input.seq,
            [recordEventOf(partnership, entry, policyVersion)],
            new Date().toISOString(),
          ),
        )
        .catch(conflict);
    },

    /**
     * The record as workflows wrote it before the read models (histories before the
     * `system-of-record` patch): the same chain, the case named by the caller when it can.
     */
    async recordEvents(input: { subjectId: string; from: number; entries: HistoryEntry[]; policyVersion: string; instance?: string; type?: string }): Promise<void> {
      await database
        .write((tx) =>
          appendEvents(
            tx,
            { id: input.subjectId, instance: input.instance ?? 'legacy', type: input.type ?? subjectTypeOfId(input.subjectId) },
            input.from,
            input.entries.map((e) => recordEventOf(partnership, e, input.policyVersion)),
            new Date().toISOString(),
          ),
        )
        .catch(conflict);
    },
  };
}
