import { z } from 'zod';

/** Who withdrew a commission or referral, when and why: on its page once withdrawn. */
export const withdrawnSchema = z
  .object({ by: z.string(), reason: z.string(), at: z.string().describe('ISO 8601 instant') })
  .describe('Set when it was withdrawn (stage or status `withdrawn`)');
