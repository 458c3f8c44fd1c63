import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Durable records kept outside Temporal: the decision record that public bodies must produce
 * years later (independent of history retention), and the ledger that makes emails idempotent.
 * Files are created exclusively, so a retried write is a no-op and nothing is overwritten.
 */
export function createRecordStore(dir: string) {
  const sentDir = path.join(dir, 'sent-mail');
  const eventsDir = path.join(dir, 'events');

  async function createOnce(file: string, content: string): Promise<boolean> {
    await mkdir(path.dirname(file), { recursive: true });
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  const mailKey = (messageId: string): string => createHash('sha256').update(messageId).digest('hex');

  return {
    async wasSent(messageId: string): Promise<boolean> {
      try {
        await readFile(path.join(sentDir, mailKey(messageId)));
        return true;
      } catch {
        return false;
      }
    },

    async markSent(messageId: string, at: string): Promise<void> {
      await createOnce(path.join(sentDir, mailKey(messageId)), JSON.stringify({ messageId, at }));
    },

    /** Appends one entry of a subject's record; `seq` orders entries and makes retries harmless. */
    async appendEvent(subjectId: string, seq: number, entry: object): Promise<void> {
      await createOnce(
        path.join(eventsDir, subjectId, `${String(seq).padStart(6, '0')}.json`),
        JSON.stringify(entry),
      );
    },

    async readEvents(subjectId: string): Promise<object[]> {
      const folder = path.join(eventsDir, subjectId);
      let names: string[];
      try {
        names = (await readdir(folder)).sort();
      } catch {
        return [];
      }
      return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(folder, n), 'utf8')) as object));
    },
  };
}

export type RecordStore = ReturnType<typeof createRecordStore>;
