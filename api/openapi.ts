import { codecBody } from './codec';
import { z } from 'zod';
import { newCommissionRequestSchema } from '../domain/commission';
import { delegationBodySchema } from '../domain/delegation';
import { newDisputeRequestSchema } from '../domain/dispute';
import { newReferralRequestSchema } from '../domain/referral';
import { evaluationSetupSchema } from '../domain/evaluation';
import { disputeListQuery } from './disputes';
import { withdrawalBody, type WithdrawableType } from '../domain/withdrawal';
import { withdrawalSummary } from './withdrawal';
import { accessReadsSchema, readsQuery } from './accessAudit';
import { referralListQuery } from './referrals';
import { holdBody, holdSchema, liftBody, periodEventSchema, periodQuery, policySchema, policyVersion, recordSchema, recordVerificationSchema } from './records';
import {
  commissionListSchema,
  commissionSchema,
  disputeListSchema,
  disputeSchema,
  disputeTimelineSchema,
  evaluationSchema,
  commissionEvaluationSchema,
  planSchema,
  planQuery,
  challengeBody,
  challengeEnvelopeSchema,
  decisionBody,
  delegationEnvelopeSchema,
  extensionBody,
  inboxQuery,
  inboxSchema,
  listQuery,
  personSchema,
  problemSchema,
  referralListSchema,
  referralSchema,
  referralTimelineSchema,
  taskEnvelopeSchema,
  taskSchema,
  timelineSchema,
} from './schemas';

/** JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema, as a request or as a response. */
const schema = (s: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', override: io === 'input' ? trimmedText : undefined }) as Record<string, unknown>;
  return rest;
};

/** A character JavaScript's trim keeps: not its WhiteSpace or LineTerminator, spelt out so every regex dialect reads it alike. */
const kept = '[^\\u0009-\\u000D\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]';

/**
 * Text the API trims before counting (`z.string().trim().min(n)`): JSON Schema cannot trim, so its
 * minLength alone lets "  a " through, which the API refuses. A pattern says what is counted: the
 * span from the first to the last character a trim keeps is at least n long.
 */
function trimmedText(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const checks = (ctx.zodSchema as { _zod: { def: { checks?: { _zod: { def: { check: string; tx?: unknown } } }[] } } })._zod.def.checks ?? [];
  const trims = checks.some((c) => c._zod.def.check === 'overwrite' && String(c._zod.def.tx).includes('.trim()'));
  const min = ctx.jsonSchema['minLength'];
  if (ctx.jsonSchema['type'] !== 'string' || !trims || typeof min !== 'number' || min < 1) return;
  const pattern = min === 1 ? kept : `${kept}[\\s\\S]{${min - 2},}${kept}`;
  if (ctx.jsonSchema['pattern'] === undefined) ctx.jsonSchema['pattern'] = pattern;
  else ctx.jsonSchema['allOf'] = [...((ctx.jsonSchema['allOf'] as object[] | undefined) ?? []), { pattern }];
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: object, description = 'OK') => ({ description, content: { 'application/json': { schema: s } } });
const problemOf = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const body = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(s, 'input') } } });
/** One shape for the three withdrawals: the subject ends withdrawn, its open tasks cancelled, those asked told. */
const withdrawalPath = (type: WithdrawableType, shown: string) => ({
  post: {
    summary: withdrawalSummary(type),
    description: 'Cancels its open tasks (and any running dispute or evaluation panel of it), emails those they asked, and ends it withdrawn with the reason in its record.',
    parameters: [pathParam('id')],
    requestBody: body(withdrawalBody()),
    responses: {
      '200': json(ref(shown), 'Withdrawn: the subject as the record now shows it'),
      '400': problemOf('Not a JSON object with only a reason'),
      '403': problemOf('Not a person the withdrawal rule names (the rule is in detail)'),
      '404': problemOf("Unknown, or not the caller's to see"),
      '409': problemOf('Already ended, withdrawn or resolved'),
      '422': problemOf('No reason, or a reason over 2000 characters'),
      ...common,
    },
  },
});
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** One shape for the three access audits: who read the subject, for its partners' records officers. */
const readsPath = (shown: string) => ({
  get: {
    summary: `Who read the ${shown} (the access audit; a records officer of a partner it involves)`,
    description:
      `Every read of the ${shown}${shown === 'commission' ? ', its evaluation panel and its tasks' : shown === 'referral' ? ', its timeline and its tasks' : ''} and of its decision record by a person, through the API or the web service: who, for which partner, what kind of read, when, and from which address. Newest first, a page at a time: follow \`next\`.`,
    parameters: [pathParam('id'), ...queryParams(readsQuery)],
    responses: {
      '200': json(ref('AccessReads')),
      '400': problemOf('A limit out of range, or a cursor not in the form `next` gives'),
      '422': problemOf('A cursor in that form that this API did not give'),
      '404': problemOf("Unknown, or not the caller's to see"),
      ...common,
    },
  },
});

/** Query parameters from a zod object schema: one source of truth with the route's validation. */
function queryParams(s: z.ZodObject): object[] {
  const json = schema(s, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, object>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, p]) => ({ name, in: 'query', required: required.has(name), schema: p }));
}

const csv = (description: string) => ({ 'text/csv': { schema: { type: 'string', description } } });
const databaseCommon = {
  '401': problemOf('No or unknown API key or sign-in token'),
  '429': problemOf('Too many requests for this key'),
  '503': problemOf('The system of record is unavailable or busy; Retry-After says when to try again'),
};

const common = {
  '401': problemOf('No or unknown API key or sign-in token'),
  '429': problemOf('Too many requests for this key'),
  '503': problemOf('Temporal or the record database unreachable, or (for a read of a referral, an evaluation or a decision record) the read could not be recorded in the access audit; Retry-After says when to try again'),
};

/** The OpenAPI document the API serves: the contract of ../shared/API.md as built. */
export const openApiDocument = withRuleRefusals({
  openapi: '3.1.0',
  info: { title: 'Joint Commissioning Orchestrator', version: '0.2.0' },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: "A person's API key from the partnership file, or an OpenID Connect access token" },
    },
    schemas: {
      Problem: schema(problemSchema),
      Task: schema(taskSchema),
      Commission: schema(commissionSchema),
      CommissionList: schema(commissionListSchema),
      Timeline: schema(timelineSchema),
      Inbox: schema(inboxSchema),
      TaskEnvelope: schema(taskEnvelopeSchema),
      Person: schema(personSchema),
      DelegationEnvelope: schema(delegationEnvelopeSchema),
      Dispute: schema(disputeSchema),
      DisputeList: schema(disputeListSchema),
      DisputeTimeline: schema(disputeTimelineSchema),
      Referral: schema(referralSchema),
      ReferralList: schema(referralListSchema),
      ReferralTimeline: schema(referralTimelineSchema),
      Evaluation: schema(evaluationSchema),
      CommissionEvaluation: schema(commissionEvaluationSchema),
      Plan: schema(planSchema),
      ChallengeEnvelope: schema(challengeEnvelopeSchema),
      Record: schema(recordSchema),
      RecordVerification: schema(recordVerificationSchema),
      PeriodEvent: schema(periodEventSchema),
      Hold: schema(holdSchema),
      Policy: schema(policySchema),
      AccessReads: schema(accessReadsSchema),
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/commissions': {
      post: {
        summary: 'Start a joint commission (a commissioner of one of the listed partners)',
        parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
        requestBody: body(newCommissionRequestSchema()),
        responses: {
          '201': json(ref('Commission'), 'Started; Location names it'),
          '400': problemOf('Invalid input, every problem listed'),
          '403': problemOf('Not a commissioner of a listed partner'),
          '422': problemOf('Idempotency-Key reused for a different request'),
          ...common,
        },
      },
      get: {
        summary: "Commissions involving the caller's partner, filtered and paged (nextCursor)",
        parameters: queryParams(listQuery),
        responses: { '200': json(ref('CommissionList')), '400': problemOf('Invalid filter'), '403': problemOf('Not at a partner'), ...common },
      },
    },
    '/api/v1/commissions/plan': {
      get: {
        summary: 'What a commission would go through, before it starts: gates, procurement involvement, legal review, regime, standstill, and the earliest date each step can complete from today',
        parameters: queryParams(planQuery),
        responses: { '200': json(ref('Plan')), '400': problemOf('Invalid query, every problem listed'), '403': problemOf('Not at a partner'), ...common },
      },
    },
    '/api/v1/commissions/{id}/challenges': {
      post: {
        summary: 'Record a challenge (or, under the Provider Selection Regime, representations) during standstill; the award pauses until its outcome is recorded',
        parameters: [pathParam('id')],
        requestBody: body(challengeBody),
        responses: {
          '201': json(ref('ChallengeEnvelope'), 'Recorded; a task asks the lead commissioner or legal for the outcome'),
          '400': problemOf('Invalid input, or representations outside the Provider Selection Regime'),
          '403': problemOf('Not a commissioner, senior manager, procurement or legal officer of a participating partner'),
          '404': problemOf("Unknown, or not the caller's to see"),
          '409': problemOf('Not in standstill'),
          ...common,
        },
      },
    },
    '/api/v1/commissions/{id}/withdrawal': withdrawalPath('commission', 'Commission'),
    '/api/v1/commissions/{id}': {
      get: {
        summary: 'A commission, its open tasks and its history',
        parameters: [pathParam('id')],
        responses: { '200': json(ref('Commission')), '404': problemOf("Unknown, or not the caller's to see"), ...common },
      },
    },
    '/api/v1/commissions/{id}/reads': readsPath('commission'),
    '/api/v1/commissions/{id}/timeline': {
      get: {
        summary: 'Every event in order, in plain words',
        parameters: [pathParam('id')],
        responses: { '200': json(ref('Timeline')), '404': problemOf("Unknown, or not the caller's to see"), ...common },
      },
    },
    '/api/v1/commissions/{id}/evaluation': {
      put: {
        summary: "Set up the commission's joint evaluation panel (a commissioner of the lead partner, once the lead is settled)",
        description:
          'Criteria with whole-number weights summing to 100 (social value at least the policy minimum unless socialValueJustification is given), bidders, members (at least three; for a joint commission at least one from the Council and one from an ICB; lived-experience representatives count) and scoringDue (a date-time, or a duration such as "10 working days"). A refusal names the rule.',
        parameters: [pathParam('id')],
        requestBody: body(evaluationSetupSchema()),
        responses: {
          '201': json(ref('Evaluation'), 'Set up; members are asked to declare conflicts of interest'),
          '202': json(ref('CommissionEvaluation'), 'Set up; the panel starts when the commission reaches evaluation'),
          '400': problemOf('Invalid input, every problem listed'),
          '403': problemOf("Not a commissioner of the commission's lead partner"),
          '404': problemOf("Unknown, or not the caller's to see"),
          '409': problemOf('Already set up, or the lead partner is not settled yet'),
          '422': problemOf('A panel rule refuses it; detail names the rule, errors list each'),
          ...common,
        },
      },
      get: {
        summary: "The panel: members, declarations, scores (only the caller's own while scoring is open), moderation, and the result matrix",
        parameters: [pathParam('id')],
        responses: { '200': json(ref('Evaluation')), '404': problemOf("No panel yet, or not the caller's to see (the panel and the partners' commissioners only)"), ...common },
      },
    },
    '/api/v1/tasks': {
      get: {
        summary: 'The open tasks the caller may decide (also as a deputy), latest due first',
        parameters: queryParams(inboxQuery),
        responses: { '200': json(ref('Inbox')), '400': problemOf('Invalid filter'), ...common },
      },
    },
    '/api/v1/tasks/{taskId}': {
      get: { summary: 'One task', parameters: [pathParam('taskId')], responses: { '200': json(ref('Task')), '404': problemOf('Unknown'), ...common } },
    },
    '/api/v1/tasks/{taskId}/decision': {
      post: {
        summary: 'Decide a task',
        parameters: [pathParam('taskId')],
        requestBody: body(decisionBody),
        responses: {
          '200': json(ref('TaskEnvelope')),
          '400': problemOf('Malformed decision'),
          '403': problemOf('Not assigned to the caller'),
          '404': problemOf('Unknown'),
          '409': problemOf('Already decided, cancelled or expired'),
          '422': problemOf('A rule refused it (not an option; a reason is required; data invalid)'),
          ...common,
        },
      },
    },
    '/api/v1/tasks/{taskId}/extension': {
      post: {
        summary: "Move a task's deadline (the lead commissioner, or a senior manager of a partner the task asks)",
        parameters: [pathParam('taskId')],
        requestBody: body(extensionBody),
        responses: {
          '200': json(ref('TaskEnvelope')),
          '400': problemOf('Malformed'),
          '403': problemOf('No authority to extend'),
          '404': problemOf('Unknown'),
          '409': problemOf('The task is closed'),
          '422': problemOf('The new deadline is not later than the current one'),
          ...common,
        },
      },
    },
    ...Object.fromEntries(
      (['decode', 'encode'] as const).map((direction) => [
        `/api/v1/codec/${direction}`,
        {
          post: {
            summary: `${direction === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads for the operators' Temporal UI (its codec server protocol; records officers only)`,
            requestBody: body(codecBody),
            responses: {
              '200': json(schema(codecBody)),
              '400': problemOf('Not a list of payloads in base64'),
              '403': problemOf('Not a records officer'),
              '404': problemOf('Payloads are not encrypted here (JCO_PAYLOAD_KEYS unset)'),
              ...common,
            },
          },
        },
      ]),
    ),
    '/api/v1/people/me': {
      get: { summary: 'Who the API takes the caller to be', responses: { '200': json(ref('Person')), ...common } },
    },
    '/api/v1/people/me/delegation': {
      put: {
        summary: 'Name a deputy for a window: tasks created or escalated in it go to the deputy too (never cascades)',
        requestBody: body(delegationBodySchema()),
        responses: {
          '200': json(ref('DelegationEnvelope')),
          '400': problemOf('Invalid'),
          '403': problemOf('Not at a partner'),
          '422': problemOf('Deputy not from the same partner or sharing no role'),
          ...common,
        },
      },
      get: { summary: "The caller's delegation in force or due to start (from the record)", responses: { '200': json(ref('DelegationEnvelope')), '403': problemOf('Not at a partner'), ...common } },
      delete: {
        summary: "Revoke the caller's delegation now; the record keeps it, revoked, for auditors",
        responses: { '200': json(ref('DelegationEnvelope')), '403': problemOf('Not at a partner'), '404': problemOf('No delegation to revoke'), ...common },
      },
    },
    '/api/v1/disputes': {
      post: {
        summary: 'Raise a dispute on a commission (a commissioner or senior manager of an involved partner)',
        requestBody: body(newDisputeRequestSchema()),
        responses: {
          '201': json(ref('Dispute'), 'Raised; Location names it'),
          '400': problemOf('Invalid input'),
          '403': problemOf('Not at an involved partner'),
          '404': problemOf('Unknown commission'),
          '409': problemOf('An open dispute on the same matter exists; Link names it'),
          '422': problemOf('A dispute rule refused it'),
          ...common,
        },
      },
      get: { summary: 'Disputes the caller may see', parameters: queryParams(disputeListQuery), responses: { '200': json(ref('DisputeList')), '400': problemOf('Invalid filter'), '403': problemOf('Not at a partner'), ...common } },
    },
    '/api/v1/disputes/{id}': {
      get: { summary: 'A dispute: stage, proposals, tasks, history, outcome', parameters: [pathParam('id')], responses: { '200': json(ref('Dispute')), '404': problemOf("Unknown, or not the caller's to see"), ...common } },
    },
    '/api/v1/disputes/{id}/reads': readsPath('dispute'),
    '/api/v1/disputes/{id}/timeline': {
      get: { summary: 'Every event in plain words, and how long each stage waited on whom', parameters: [pathParam('id')], responses: { '200': json(ref('DisputeTimeline')), '404': problemOf("Unknown, or not the caller's to see"), ...common } },
    },
    '/api/v1/disputes/{id}/withdrawal': withdrawalPath('dispute', 'Dispute'),
    '/api/v1/referrals': {
      post: {
        summary: 'Refer a case to the Resource Allocation Panel (a commissioner or RAP member of a funding partner); the case reference is pseudonymous',
        requestBody: body(newReferralRequestSchema()),
        responses: {
          '201': json(ref('Referral'), 'Referred; Location names it'),
          '400': problemOf('Invalid input, every problem listed; a case reference that looks like a name, a date of birth or an NHS number'),
          '403': problemOf('Not a commissioner or RAP member of a funding partner'),
          '409': problemOf('The case already has an open referral; Link names it'),
          '422': problemOf('A rule refused it (the locality decides the ICB)'),
          ...common,
        },
      },
      get: {
        summary: "Referrals: every one for the panel; a commissioner's partner's for commissioners",
        parameters: queryParams(referralListQuery),
        responses: { '200': json(ref('ReferralList')), '400': problemOf('Invalid filter'), '403': problemOf('Neither on the panel nor a commissioner'), ...common },
      },
    },
    '/api/v1/referrals/{id}/withdrawal': withdrawalPath('referral', 'Referral'),
    '/api/v1/referrals/{id}': {
      get: {
        summary: "A referral: positions side by side, the panel's decisions, reviews, tasks, history",
        parameters: [pathParam('id')],
        responses: { '200': json(ref('Referral')), '404': problemOf("Unknown, or not the caller's to see"), ...common },
      },
    },
    '/api/v1/referrals/{id}/reads': readsPath('referral'),
    '/api/v1/referrals/{id}/timeline': {
      get: {
        summary: 'Every event in plain words; time from referral to decision and where it waited',
        parameters: [pathParam('id')],
        responses: { '200': json(ref('ReferralTimeline')), '404': problemOf("Unknown, or not the caller's to see"), ...common },
      },
    },
    '/api/v1/records': {
      get: {
        summary: "Every event of a period in the decision record of the records officer's partner, streamed (records officers)",
        description:
          'Events with from <= at < to, in time order, of the subjects the partner takes part in, optionally of one type. `Accept: application/x-ndjson` (the default) gives one JSON object per line; `Accept: text/csv` gives CSV with a header row (RFC 4180; a cell starting with = + - @ is prefixed with a single quote). A period is at most 5 years.',
        parameters: queryParams(periodQuery as unknown as z.ZodObject),
        responses: {
          '200': {
            description: 'The events, streamed',
            content: { 'application/x-ndjson': { schema: ref('PeriodEvent') }, ...csv('one row per event; Content-Disposition names the file') },
          },
          '400': problemOf('Invalid query, every problem listed (dates, to after from, at most 5 years)'),
          '403': problemOf("Not a records officer, or another partner's record"),
          '406': problemOf('Accept asks for neither NDJSON nor CSV'),
          ...databaseCommon,
        },
      },
    },
    '/api/v1/records/policies/{version}': {
      get: {
        summary: 'The policy text kept for a policy version named in the record (records officers)',
        parameters: [{ ...pathParam('version'), schema: schema(policyVersion, 'input') }],
        responses: { '200': json(ref('Policy')), '400': problemOf('Not a policy version'), '403': problemOf('Not a records officer'), '404': problemOf('No text kept for that version'), ...databaseCommon },
      },
    },
    '/api/v1/records/{subjectId}': {
      get: {
        summary: "A subject's decision record: every event of each case in order with its chained hash, and its legal holds (records officers of a partner it involves)",
        description: '`Accept: text/csv` gives one CSV row per event (with subject_id, instance and seq), as an attachment named record-{subjectId}.csv.',
        parameters: [pathParam('subjectId')],
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: ref('Record') }, ...csv('one row per event') } },
          '404': problemOf("Unknown, or not the caller's to see"),
          '406': problemOf('Accept asks for neither JSON nor CSV'),
          ...databaseCommon,
        },
      },
    },
    '/api/v1/records/{subjectId}/verification': {
      get: {
        summary: "Whether each case's hash chain is intact, naming the first broken event if not",
        parameters: [pathParam('subjectId')],
        responses: { '200': json(ref('RecordVerification')), '404': problemOf("Unknown, or not the caller's to see"), ...databaseCommon },
      },
    },
    '/api/v1/records/{subjectId}/holds': {
      post: {
        summary: 'Place a legal hold on a subject, with a reason: while any hold is in place nothing of it is disposed of (records officers of a partner it involves)',
        parameters: [pathParam('subjectId')],
        requestBody: body(holdBody),
        responses: {
          '201': json(ref('Hold'), 'Placed'),
          '400': problemOf('No reason, or too long'),
          '404': problemOf("Unknown, or not the caller's to see"),
          '422': problemOf('Too many holds on the subject'),
          ...databaseCommon,
        },
      },
    },
    '/api/v1/records/{subjectId}/holds/{holdId}/lift': {
      post: {
        summary: 'Lift a legal hold, with a reason',
        parameters: [pathParam('subjectId'), pathParam('holdId')],
        requestBody: body(liftBody),
        responses: {
          '200': json(ref('Hold'), 'Lifted'),
          '400': problemOf('No reason, or too long'),
          '404': problemOf("Unknown subject or hold, or not the caller's to see"),
          '409': problemOf('Already lifted'),
          ...databaseCommon,
        },
      },
    },
    '/a/{token}': {
      get: {
        summary: 'Emailed link: a page showing what is asked (changes nothing)',
        security: [],
        parameters: [pathParam('token')],
        responses: {
          '200': { description: "HTML page: the decision's form; for an award, a stage gate or the accountable officers' resolution, a page asking the person to sign in first (then back here) unless they are signed in to the web service" },
          '403': { description: "Altered, unknown or someone else's link, or a high-stakes decision with someone other than the link's person signed in" },
          '409': { description: 'Already decided' },
          '410': { description: 'Expired (a page offering a fresh link when the task is still open and still asks its person)' },
        },
      },
      post: {
        summary: 'Emailed link: decide as the recipient (form fields decision, comment, and the form token of the page)',
        security: [],
        parameters: [pathParam('token')],
        requestBody: {
          content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { decision: { type: 'string' }, comment: { type: 'string' }, form: { type: 'string' } } } } },
        },
        responses: { '200': { description: 'Recorded' }, '403': { description: "Altered, unknown or someone else's link, not from our page, or a high-stakes decision (award, stage gate, the accountable officers' resolution) without the link's person signed in to the web service" }, '409': { description: 'Already decided' }, '410': { description: 'Expired' }, '422': { description: 'Refused by a rule' } },
      },
    },
    '/a/{token}/fresh-link': {
      post: {
        summary: 'Emailed link, expired: email a fresh link to the same person while the task is still open (form field form: the token of the page)',
        security: [],
        parameters: [pathParam('token')],
        requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { form: { type: 'string' } } } } } },
        responses: {
          '202': { description: 'A fresh link is on its way' },
          '403': { description: 'Altered or unknown link, or not from our page' },
          '409': { description: 'The task is closed or no longer asks this person' },
          '422': { description: 'Fresh links already sent three times for this task' },
        },
      },
    },
    '/healthz': { get: { summary: 'The process is up', security: [], responses: { '200': { description: 'up' } } } },
    '/readyz': { get: { summary: 'Temporal reachable and a worker polling', security: [], responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
    '/api/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    '/api/v1/docs': { get: { summary: 'This document, browsable', security: [], responses: { '200': { description: 'HTML page' } } } },
  },
});

/**
 * Every operation that validates input may also refuse it by a rule the JSON Schema above cannot
 * state (problem.ts `invalid`: a split summing to 100, a window ending after it starts): 422, so a
 * request the document allows is never answered 400. And a JSON body over the limit is 413.
 */
function withRuleRefusals<D extends { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(doc: D): D {
  for (const ops of Object.values(doc.paths))
    for (const op of Object.values(ops) as { responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }[]) {
      if (op.responses['400'] && !op.responses['422']) op.responses['422'] = problemOf('A rule refused it; detail names the rule, errors list each');
      // express.json's limit (app.ts): refused before it is read.
      if (op.requestBody?.content['application/json']) op.responses['413'] ??= problemOf('The body is over 256 kB');
    }
  return doc;
}
