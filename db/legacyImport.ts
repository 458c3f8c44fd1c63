import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { subjectTypeOfId } from '../domain/task';
import type { Database } from './index';
import { appendEvents } from './record';

const IMPORT = 'var-records-v1';

/**
 * Imports the decision record that earlier releases kept as files (`<dir>/events/<subject>/<seq>.json`)
 * once: each subject becomes a case named `legacy`, chained like any other. A partial file (a crash
 * mid-write) is reported and skipped, with everything after it in that subject, so the chain has no gap.
 */
export async function importLegacyRecords(database: Database, dir: string): Promise<{ subjects: number; events: number; skipped: string[] } | undefined> {
  const done = await database.db.selectFrom('imports').select('name').where('name', '=', IMPORT).executeTakeFirst();
  if (done) return undefined;
  let subjects: string[] = [];
  try {
    subjects = await readdir(path.join(dir, 'events'));
  } catch {
    subjects = [];
  }
  let events = 0;
  const skipped: string[] = [];
  for (const subject of subjects.sort()) {
    const folder = path.join(dir, 'events', subject);
    const names = (await readdir(folder)).filter((n) => /^\d+\.json$/.test(n)).sort();
    const entries: { seq: number; e: Record<string, string | undefined> }[] = [];
    for (const name of names) {
      try {
        entries.push({ seq: Number(name.slice(0, -5)), e: JSON.parse(await readFile(path.join(folder, name), 'utf8')) as Record<string, string | undefined> });
      } catch {
        skipped.push(`${subject}/${name}`);
        break;
      }
    }
    const contiguous = entries.filter((x, i) => x.seq === i);
    await database.write((tx) =>
      appendEvents(
        tx,
        { id: subject, instance: 'legacy', type: subjectTypeOfId(subject) },
        0,
        contiguous.map(({ e }) => ({
          at: e['at'] ?? new Date(0).toISOString(),
          event: e['event'] ?? 'unknown',
          by: e['by'],
          partner: e['partner'],
          actingFor: e['actingFor'],
          channel: e['channel'],
          what: e['detail'],
          policyVersion: e['policyVersion'] ?? 'unknown',
        })),
        new Date().toISOString(),
      ),
    );
    events += contiguous.length;
  }
  await database.db
    .insertInto('imports')
    .values({ name: IMPORT, at: new Date().toISOString(), detail: JSON.stringify({ subjects: subjects.length, events, skipped }) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return { subjects: subjects.length, events, skipped };
}
