import type { RecordDb } from './index';

export interface OutboxEntry {
  messageId: string;
  taskId: string;
  recipient: string;
  purpose: string;
}

/**
 * Records a send before it leaves. 'already-sent' when the SMTP server accepted this Message-ID
 * before; otherwise counts the attempt and says to send.
 */
export async function claimSend(db: RecordDb, e: OutboxEntry, now: string): Promise<'send' | 'already-sent'> {
  await db
    .insertInto('outbox')
    .values({ message_id: e.messageId, task_id: e.taskId, recipient: e.recipient, purpose: e.purpose, status: 'sending', attempts: 0, created_at: now, sent_at: null })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .execute();
  const row = await db.selectFrom('outbox').select(['status']).where('message_id', '=', e.messageId).executeTakeFirstOrThrow();
  if (row.status === 'sent') return 'already-sent';
  await db.updateTable('outbox').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('message_id', '=', e.messageId).execute();
  return 'send';
}

export async function markSent(db: RecordDb, messageId: string, at: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', sent_at: at }).where('message_id', '=', messageId).execute();
}

/** Sends recorded but never confirmed (a worker killed mid-send, or a ledger write that failed). */
export async function unconfirmedSends(db: RecordDb): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sending').executeTakeFirstOrThrow();
  return Number(row.n);
}
