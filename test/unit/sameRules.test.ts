import fc from 'fast-check';
import { loadPartnership, policyVersionOf } from '../../config';
import { decisionBody } from '../../api/schemas';
import { commissionInputOf, commissionInputSchema, newCommissionRequestSchema, type NewCommissionRequest } from '../../domain/commission';
import { checkCaseReference, newReferralRequestSchema, referralInputFrom, referralInputSchema, splitProblems, type NewReferralRequest } from '../../domain/referral';
import { partnerById, type Partnership } from '../../domain/partnership';
import type { DecisionRequest, Task } from '../../domain/task';
import { TaskBook } from '../../workflows/tasks';

/**
 * The API checks a request before it starts a workflow or sends an update; the workflow checks its
 * input and every update again, in its own context. Both read one definition of each rule (issue
 * 15: the workflow's copy is built only when first called), so on the same generated cases they
 * must agree: what the API accepts the workflow accepts, and where they check the same rule, what
 * one refuses the other refuses.
 */
const partnership = loadPartnership();
const policyVersion = policyVersionOf(partnership);
const runs = { seed: 15, numRuns: 400 };
/** Mostly the valid value, sometimes one of the invalid ones, so that many cases pass and many fail. */
const mostly = (valid: unknown, ...others: unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
const omitUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The update's validator as a workflow runs it, on a book holding one open task. */
function validatorRefusal(task: Partial<Task>, req: Record<string, unknown>): string | undefined {
  const open: Task = {
    id: 'jc-abcdefghij.c12345678.lead',
    kind: 'lead-partner-agreement',
    title: 'Agree the lead partner',
    subject: { type: 'commission', id: 'jc-abcdefghij' },
    assignees: ['nenc-commissioner'],
    options: ['approve', 'reject', 'propose'],
    reasonRequiredFor: [],
    status: 'open',
    createdAt: '2026-12-01T09:00:00.000Z',
    dueAt: '2026-12-15T17:00:00.000Z',
    escalationLevel: 0,
    ...task,
  };
  const book = new TaskBook({ tasks: [open], usedLinks: [] }, { leadCommissioner: () => ({}), maxExtensionDays: 60, calendar: { name: 'england-and-wales', extraHolidays: [] } });
  try {
    book.validate({ taskId: open.id, by: 'nenc-commissioner', channel: 'api', ...req } as DecisionRequest);
    return undefined;
  } catch (err) {
    return (err as { type?: string }).type;
  }
}

describe('a task decision', () => {
  const bodies = fc.record(
    {
      decision: fc.constantFrom<unknown>('approve', 'reject', '', 7, null),
      comment: fc.constantFrom<unknown>('Our value threshold is lower', '   ', 'x'.repeat(4000), ` ${'x'.repeat(4000)} `, 'x'.repeat(4001), 12),
      data: fc.constantFrom<unknown>({}, { note: 'x' }, [], 'x', null),
      unasked: fc.constantFrom<unknown>('x', 1),
    },
    { requiredKeys: [] },
  );

  test("the API's body check and the update validator's shape check agree", () => {
    let refused = 0;
    fc.assert(
      fc.property(bodies, (body) => {
        const api = decisionBody.safeParse(body).success;
        const workflow = validatorRefusal({}, body) !== 'InvalidRequest';
        if (!api) refused++;
        expect({ body, workflow }).toEqual({ body, workflow: api });
      }),
      runs,
    );
    expect(refused).toBeGreaterThan(50);
  });
});

describe('a commission', () => {
  const known = partnership.partners.map((p) => p.id);
  const requests = fc.record(
    {
      title: mostly('Short breaks for disabled children', 'ab', '  ab  ', 'x'.repeat(201), 5),
      partners: mostly(known.slice(0, 2), known, [known[0]], [known[0], known[0]], [known[0], 'no-such-partner'], 'council'),
      proposedLead: mostly(known[0], known[2], 'Council!'),
      estimatedValue: mostly(10_000, 0, 750_000, -1, Infinity, '10000'),
      highRiskFactors: mostly(undefined, [], ['business-critical'], ['not-a-factor']),
      urgent: mostly(undefined, { justification: 'The current provider has gone into administration.' }, { justification: 'soon' }),
      healthCareService: mostly(undefined, true, 'yes'),
      unasked: mostly(undefined, 'x'),
    },
    { requiredKeys: ['title', 'partners', 'proposedLead', 'estimatedValue'] },
  );

  /** The API's checks of `POST /commissions`, in its order; the input it starts the workflow with, if it accepts. */
  function apiAccepts(raw: unknown, p: Partnership = partnership): NewCommissionRequest | undefined {
    const parsed = newCommissionRequestSchema().safeParse(raw);
    if (!parsed.success || parsed.data.partners.some((id) => !partnerById(p, id))) return undefined;
    return parsed.data;
  }
  const facts = { id: 'jc-abcdefghij', createdBy: { person: 'council-commissioner', partner: 'council' }, policyVersion };

  test("every request the API accepts starts a workflow whose input check accepts it", () => {
    let accepted = 0;
    fc.assert(
      fc.property(requests, (raw) => {
        const body = apiAccepts(omitUndefined(raw));
        if (!body) return;
        accepted++;
        const check = commissionInputSchema().safeParse(commissionInputOf(body, partnership, facts));
        expect({ raw, issues: check.error?.issues ?? [] }).toEqual({ raw, issues: [] });
      }),
      runs,
    );
    expect(accepted).toBeGreaterThan(20);
  });

  test('the partner id rule refuses the same ids in the request and in the input', () => {
    const ids = ['council', 'nenc-icb', 'Council', 'nenc_icb', '-council', 'lsc-icb2', ''];
    // Every id is a partner here, so only the id rule can refuse.
    const everyId: Partnership = { ...partnership, partners: ids.map((id) => ({ id, name: `Partner ${id}`, kind: 'other' })) };
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...ids), { minLength: 2, maxLength: 3 }), (partners) => {
        const raw = { title: 'Short breaks for disabled children', partners, proposedLead: partners[0], estimatedValue: 10_000 };
        const api = apiAccepts(raw, everyId) !== undefined;
        const input = commissionInputOf(newCommissionRequestSchema().parse({ ...raw, partners: ['council', 'nenc-icb'], proposedLead: 'council' }), partnership, facts);
        const asked = { ...input, partners: partners.map((id) => ({ id, name: `Partner ${id}` })), proposedLead: partners[0] };
        expect({ partners, workflow: commissionInputSchema().safeParse(asked).success }).toEqual({ partners, workflow: api });
      }),
      runs,
    );
  });
});

describe('a referral', () => {
  const requests = fc.record(
    {
      caseRef: mostly('CYP-48213', 'cyp48213', 'Jane Smith', '48213', ''),
      locality: mostly('Keswick', 'Millom', 'not in a KSC', 'Penrith'),
      needs: mostly(['health'], ['health', 'social-care'], [], ['health', 'health'], ['housing']),
      packageDescription: mostly('Overnight nursing care and short breaks', 'care', 'x'.repeat(2001)),
      annualCost: mostly(180_000, 0, -5, Infinity),
      proposedSplit: mostly({ council: 50, 'nenc-icb': 50 }, { council: 50, 'lsc-icb': 50 }, { council: 100 }, { council: 60, 'nenc-icb': 50 }, { council: 33.33, 'nenc-icb': 66.67 }, {}),
      urgent: mostly(undefined, true, 'no'),
    },
    { requiredKeys: ['caseRef', 'locality', 'needs', 'packageDescription', 'annualCost', 'proposedSplit'] },
  );

  /** The API's checks of `POST /referrals`, in its order; what it starts the workflow with, if it accepts. */
  function apiAccepts(raw: unknown): { body: NewReferralRequest; caseRef: string } | undefined {
    const parsed = newReferralRequestSchema().safeParse(raw);
    if (!parsed.success) return undefined;
    const checked = checkCaseReference(parsed.data.caseRef);
    if ('problem' in checked) return undefined;
    if (Object.keys(parsed.data.proposedSplit).some((p) => !partnerById(partnership, p))) return undefined;
    if (splitProblems(parsed.data.proposedSplit, parsed.data.locality, partnership.partners).length) return undefined;
    return { body: parsed.data, caseRef: checked.caseRef };
  }

  test('every referral the API accepts starts a workflow whose input check accepts it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(requests, (raw) => {
        const ok = apiAccepts(omitUndefined(raw));
        if (!ok) return;
        accepted++;
        const input = referralInputFrom(ok.body, partnership, { caseRef: ok.caseRef, referredBy: { person: 'council-rap-member', partner: 'council' }, policyVersion });
        const check = referralInputSchema().safeParse(input);
        expect({ raw, issues: check.error?.issues ?? [] }).toEqual({ raw, issues: [] });
      }),
      runs,
    );
    expect(accepted).toBeGreaterThan(5);
  });

  test("the split rule: the API's check of a proposed split and the validator of a partner's proposal agree", () => {
    const share = fc.constantFrom<unknown>(0, 25, 50, 50.5, 33.333, 75, 100, 101, -1, '50');
    const splits = fc.dictionary(fc.constantFrom('council', 'nenc-icb', 'Council!'), share, { maxKeys: 3 });
    const base = { caseRef: 'CYP-48213', locality: 'Keswick', needs: ['health'], packageDescription: 'Overnight nursing care', annualCost: 120_000 };
    const position: Partial<Task> = { kind: 'referral-position', options: ['agree', 'propose'], dataSchema: 'referral-position' };
    let refused = 0;
    fc.assert(
      fc.property(splits, (split) => {
        const api = newReferralRequestSchema().safeParse({ ...base, proposedSplit: split }).success;
        const workflow = validatorRefusal(position, { decision: 'propose', data: { split } }) !== 'InvalidData';
        if (!api) refused++;
        expect({ split, workflow }).toEqual({ split, workflow: api });
      }),
      runs,
    );
    expect(refused).toBeGreaterThan(50);
  });
});
