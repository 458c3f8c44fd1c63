import { z } from 'zod';

/**
 * What an open case waits on (domain/liveness.ts), as the API shows it on each subject: never
 * empty while the case is open, empty once it has ended.
 */
export const waitingOnSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('task'),
    taskId: z.string(),
    title: z.string(),
    people: z.array(z.string()),
    dueAt: z.string(),
    awaiting: z.array(z.object({ party: z.string(), people: z.array(z.string()) })).optional(),
  }),
  z.object({ kind: z.literal('date'), at: z.string(), for: z.string() }),
  z.object({ kind: z.literal('action'), people: z.array(z.string()), for: z.string() }),
  z.object({ kind: z.literal('subject'), subjectId: z.string(), for: z.string() }),
]);

export const waitingOnField = z.array(waitingOnSchema).optional().describe('What the case waits on now: tasks and who they ask, dates, people, other cases');
