import { z } from 'zod';

/** A person's deputy for a window: tasks created or escalated then go to the deputy too. */
export interface Delegation {
  principal: string;
  deputy: string;
  /** The principal's roles the deputy also holds: role-based tasks only pass on for these. */
  roles: string[];
  from: string;
  to: string;
  setAt: string;
}

export const delegationBodySchema = z
  .object({
    deputy: z.string().min(1, 'name the deputy by their person id'),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine((d) => Date.parse(d.from) < Date.parse(d.to), { path: ['to'], message: 'the delegation must end after it starts' });

export const DELEGATIONS_WORKFLOW_ID = 'delegations';
