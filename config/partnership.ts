import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { apiKeySetting, storedApiKeyDigest } from './apiKeys';
import { calendarNames } from '../domain/calendar';
import { durationText } from '../domain/duration';
import { defaultRetention, roles } from '../domain/partnership';
import { retentionText } from '../domain/retention';
import { panelPolicySchema } from '../domain/evaluation';
import { lifecyclePolicySchema } from '../domain/lifecycle';
import type { Partnership } from '../domain/partnership';

export const bundledPartnershipFile = path.join(__dirname, 'cumberland-send.yaml');

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and hyphens');
const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID as Entra ID shows it, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47')
  .transform((g) => g.toLowerCase());

/** A person's identity at a sign-in service (domain/partnership.ts SignInIdentity). */
const signInIdentity = z.union([
  z.object({ entraTenantId: guid, entraObjectId: guid }).strict(),
  z.object({ issuer: z.url({ protocol: /^https?$/ }), subject: z.string().min(1).max(255) }).strict(),
]);

/** The key two people may not share: one identity names one person. */
const identityKey = (i: z.infer<typeof signInIdentity>): string => ('entraObjectId' in i ? `entra:${i.entraTenantId}:${i.entraObjectId}` : `oidc:${i.issuer}:${i.subject}`);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');

const leadPartnerAgreementPolicy = z
  .object({
    due: durationText().default('10 working days'),
    remindBefore: durationText().default('3 working days'),
    escalateFor: durationText().default('5 working days'),
  })
  .strict();

const disputePolicy = z
  .object({
    earlyResolution: z.object({ due: durationText().default('10 working days'), remindBefore: durationText().default('3 working days') }).strict().default({ due: '10 working days', remindBefore: '3 working days' }),
    executiveBoard: z.object({ due: durationText().default('20 working days') }).strict().default({ due: '20 working days' }),
    accountableOfficers: z
      .object({ due: durationText().default('10 working days'), remindEvery: durationText().default('1 working day') })
      .strict()
      .default({ due: '10 working days', remindEvery: '1 working day' }),
  })
  .strict();

/** The Resource Allocation Panel (DOMAIN.md section 3): by default the second Tuesday of each month. */
const panelMeeting = z
  .object({
    week: z.union([z.number().int().min(1).max(4), z.literal('last')]).default(2),
    weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']).default('tuesday'),
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a UK clock time written HH:MM').default('10:00'),
  })
  .strict();

const resourceAllocationPolicy = z
  .object({
    panel: panelMeeting.default(panelMeeting.parse({})),
    /** A referral goes to the first meeting at least this far ahead, so members can prepare. */
    notice: durationText().default('5 working days'),
    urgentWithin: durationText().default('2 working days'),
    positionsRemindBefore: durationText().default('2 working days'),
    /** The chair records the panel's decision within this of the meeting. */
    recordWithin: durationText().default('1 working day'),
    reviewFirst: durationText().default('P3M'),
    reviewEvery: durationText().default('P12M'),
    reviewDue: durationText().default('10 working days'),
  })
  .strict();

const policiesSchema = z
  .object({
    leadPartnerAgreement: leadPartnerAgreementPolicy.default(leadPartnerAgreementPolicy.parse({})),
    dispute: disputePolicy.default(disputePolicy.parse({})),
    evaluationPanel: panelPolicySchema().default(panelPolicySchema().parse({})),
    lifecycle: lifecyclePolicySchema().default(lifecyclePolicySchema().parse({})),
    resourceAllocation: resourceAllocationPolicy.default(resourceAllocationPolicy.parse({})),
  })
  .strict();

/** How long each type of subject's decision record is kept after it ends (default 7 years each). */
const retentionPolicy = z
  .object({
    commission: retentionText().default(defaultRetention.commission),
    dispute: retentionText().default(defaultRetention.dispute),
    referral: retentionText().default(defaultRetention.referral),
    evaluation: retentionText().default(defaultRetention.evaluation),
  })
  .strict();

export const partnershipSchema = z
  .object({
    partnership: z
      .object({
        id,
        name: z.string().min(1),
        calendar: z.enum(calendarNames).default('england-and-wales'),
        extraHolidays: z.array(isoDate).default([]),
      })
      .strict(),
    partners: z
      .array(
        z
          .object({ id, name: z.string().min(1), kind: z.enum(['local-authority', 'icb', 'other']) })
          .strict(),
      )
      .min(2, 'a partnership has at least two partners'),
    people: z.array(
      z
        .object({
          id,
          name: z.string().min(1),
          email: z.email(),
          partner: id.optional(),
          roles: z.array(z.enum(roles)).min(1, 'a person holds at least one role'),
          apiKey: apiKeySetting().optional(),
          identities: z.array(signInIdentity).max(20).optional(),
          /** Replaced: a subject without its issuer could be anyone's at another issuer. */
          oidcSubject: z.never({ error: 'oidcSubject is replaced by identities: [{ issuer, subject }] (or, for Entra ID, [{ entraTenantId, entraObjectId }])' }).optional(),
        })
        .strict(),
    ),
    policies: policiesSchema.default(policiesSchema.parse({})),
    retention: retentionPolicy.default(retentionPolicy.parse({})),
  })
  .strict()
  .superRefine((file, ctx) => {
    const partnerIds = new Set(file.partners.map((p) => p.id));
    const seen = new Map<string, number>();
    const keys = new Map<string, number>();
    const identities = new Map<string, string>();
    file.partners.forEach((p, i) => {
      if (file.partners.findIndex((q) => q.id === p.id) !== i)
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'id'], message: `partner id "${p.id}" is used twice` });
    });
    file.people.forEach((person, i) => {
      if (seen.has(person.id))
        ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `person id "${person.id}" is used twice` });
      seen.set(person.id, i);
      if (person.partner !== undefined && !partnerIds.has(person.partner))
        ctx.addIssue({ code: 'custom', path: ['people', i, 'partner'], message: `no partner has the id "${person.partner}"` });
      const onlyLivedExperience = person.roles.every((r) => r === 'lived-experience');
      if (person.partner === undefined && !onlyLivedExperience)
        ctx.addIssue({
          code: 'custom',
          path: ['people', i, 'partner'],
          message: 'only lived-experience representatives may have no partner',
        });
      person.identities?.forEach((identity, j) => {
        const key = identityKey(identity);
        const holder = identities.get(key);
        if (holder !== undefined && holder !== person.id)
          ctx.addIssue({ code: 'custom', path: ['people', i, 'identities', j], message: `this sign-in identity is already given to "${holder}"` });
        identities.set(key, person.id);
      });
      if (person.apiKey !== undefined) {
        // The same key written once as itself and once as its digest is still the same key.
        const key = storedApiKeyDigest(person.apiKey).toString('hex');
        if (keys.has(key))
          ctx.addIssue({ code: 'custom', path: ['people', i, 'apiKey'], message: 'this API key is already given to another person' });
        keys.set(key, i);
      }
    });
  });

export type PartnershipFile = z.infer<typeof partnershipSchema>;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`${source} is not valid:\n${problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function issuePath(p: readonly PropertyKey[]): string {
  return p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('').replace(/^\./, '');
}

/** Validates a parsed partnership file; every problem is reported with its path. */
export function parsePartnership(raw: unknown, source = 'partnership file'): Partnership {
  const result = partnershipSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
    );
  }
  return result.data;
}

/** Reads JCO_CONFIG (YAML or JSON; JSON is YAML), or the bundled Cumberland SEND partnership. */
export function loadPartnership(file: string = bundledPartnershipFile): Partnership {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `is not YAML or JSON: ${(err as Error).message}` }]);
  }
  return parsePartnership(raw, file);
}
