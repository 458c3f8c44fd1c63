import { stages } from '../domain/commission';

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** The OpenAPI document the API serves: the contract of ../shared/API.md as built. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Joint Commissioning Orchestrator', version: '0.1.0' },
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A person\'s API key from the partnership file' } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
      Task: {
        type: 'object',
        required: ['id', 'kind', 'title', 'subject', 'assignees', 'options', 'status', 'createdAt', 'dueAt'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          title: { type: 'string' },
          subject: { type: 'object', properties: { type: { enum: ['commission', 'dispute', 'referral'] }, id: { type: 'string' }, title: { type: 'string' } } },
          partner: { type: 'string' },
          assignees: { type: 'array', items: { type: 'string' } },
          options: { type: 'array', items: { type: 'string' } },
          reasonRequiredFor: { type: 'array', items: { type: 'string' } },
          status: { enum: ['open', 'decided', 'cancelled', 'expired'] },
          createdAt: { type: 'string', format: 'date-time' },
          dueAt: { type: 'string', format: 'date-time' },
          escalationLevel: { type: 'integer' },
          completion: { enum: ['any', 'each-partner', 'all'], description: 'any: first decision settles; each-partner: one per partner; all: every person. A decision in rejectOn settles at once.' },
          rejectOn: { type: 'array', items: { type: 'string' } },
          awaiting: { type: 'array', items: { type: 'string' }, description: 'Partners (each-partner) or people (all) still to decide' },
          parties: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                partner: { type: 'string' },
                assignees: { type: 'array', items: { type: 'string' } },
                deputies: { type: 'object', additionalProperties: { type: 'string' }, description: 'deputy → the person they act for' },
                unreachable: { type: 'array', items: { type: 'string' } },
                decision: { type: 'object' },
              },
            },
          },
          decisions: { type: 'array', items: { type: 'object' } },
          notificationFailed: { type: 'boolean' },
          ifNoAnswer: { type: 'string' },
          decision: {
            type: 'object',
            properties: {
              by: { type: 'string' },
              partner: { type: 'string' },
              actingFor: { type: 'string' },
              decision: { type: 'string' },
              comment: { type: 'string' },
              at: { type: 'string', format: 'date-time' },
              channel: { enum: ['api', 'email'] },
            },
          },
        },
      },
      NewCommission: {
        type: 'object',
        required: ['title', 'partners', 'proposedLead', 'estimatedValue'],
        additionalProperties: false,
        properties: {
          title: { type: 'string', minLength: 3 },
          description: { type: 'string' },
          partners: { type: 'array', items: { type: 'string' }, minItems: 2 },
          proposedLead: { type: 'string' },
          estimatedValue: { type: 'number', minimum: 0, description: 'GBP including VAT' },
          highRiskFactors: { type: 'array', items: { type: 'string' } },
          healthCareService: { type: 'boolean' },
        },
      },
      Commission: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          partners: { type: 'array', items: { type: 'string' } },
          stage: { enum: [...stages] },
          lead: { type: 'object', properties: { status: { enum: ['proposed', 'agreed', 'disputed', 'decided'] }, partner: { type: 'string' }, reason: { type: 'string' } } },
          openTasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
          tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
          history: {
            type: 'array',
            items: { type: 'object', properties: { at: { type: 'string' }, by: { type: 'string' }, partner: { type: 'string' }, channel: { type: 'string' }, event: { type: 'string' }, detail: { type: 'string' } } },
          },
        },
      },
    },
  },
  security: [{ apiKey: [] }],
  paths: {
    '/api/v1/commissions': {
      post: {
        summary: 'Start a joint commission (a commissioner of one of the listed partners)',
        parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewCommission' } } } },
        responses: {
          '201': json({ $ref: '#/components/schemas/Commission' }, 'Started; Location names it'),
          '400': problemResponse('Invalid input, every problem listed'),
          '401': problemResponse('No or unknown API key'),
          '403': problemResponse('Not a commissioner of a listed partner'),
          '422': problemResponse('Idempotency-Key reused for a different request'),
          '503': problemResponse('Temporal unreachable; Retry-After'),
        },
      },
      get: {
        summary: "Commissions involving the caller's partner",
        parameters: [
          { name: 'stage', in: 'query', schema: { enum: [...stages] } },
          { name: 'partner', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } }), '400': problemResponse('Invalid filter') },
      },
    },
    '/api/v1/commissions/{id}': {
      get: {
        summary: 'A commission, its open tasks and its history',
        parameters: [idParam('id')],
        responses: { '200': json({ $ref: '#/components/schemas/Commission' }), '404': problemResponse('Unknown, or not involving the caller\'s partner') },
      },
    },
    '/api/v1/tasks': {
      get: { summary: 'The open tasks the caller may decide', responses: { '200': json({ type: 'object', properties: { tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } } } }) } },
    },
    '/api/v1/tasks/{taskId}': {
      get: { summary: 'One task', parameters: [idParam('taskId')], responses: { '200': json({ $ref: '#/components/schemas/Task' }), '404': problemResponse('Unknown') } },
    },
    '/api/v1/tasks/{taskId}/decision': {
      post: {
        summary: 'Decide a task',
        parameters: [idParam('taskId')],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['decision'], properties: { decision: { type: 'string' }, comment: { type: 'string' }, data: { type: 'object' } } } } },
        },
        responses: {
          '200': json({ type: 'object', properties: { task: { $ref: '#/components/schemas/Task' } } }),
          '400': problemResponse('Malformed decision'),
          '403': problemResponse('Not assigned to the caller'),
          '404': problemResponse('Unknown task'),
          '409': problemResponse('Already decided, cancelled or expired'),
          '422': problemResponse('A rule refused it (not an option; a reason is required)'),
        },
      },
    },
    '/api/v1/tasks/{taskId}/extension': {
      post: {
        summary: "Move a task's deadline (the lead commissioner, or a senior manager of a partner the task asks)",
        parameters: [idParam('taskId')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['reason'],
                properties: { dueAt: { type: 'string', format: 'date-time' }, extendBy: { type: 'string', description: '"5 working days", "2 days" or ISO 8601' }, reason: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '200': json({ type: 'object', properties: { task: { $ref: '#/components/schemas/Task' } } }),
          '403': problemResponse('No authority to extend'),
          '409': problemResponse('The task is closed'),
          '422': problemResponse('The new deadline is not later than the current one'),
        },
      },
    },
    '/api/v1/people/me/delegation': {
      put: {
        summary: 'Name a deputy for a window: tasks created or escalated in it go to the deputy too (never cascades)',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['deputy', 'from', 'to'], properties: { deputy: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } } } } },
        },
        responses: { '200': json({ type: 'object', properties: { delegation: { type: 'object' } } }), '400': problemResponse('Invalid'), '422': problemResponse('Deputy not from the same partner or sharing no role') },
      },
      get: { summary: "The caller's current delegation", responses: { '200': json({ type: 'object', properties: { delegation: { type: ['object', 'null'] } } }) } },
    },
    '/a/{token}': {
      get: { summary: 'Emailed link: a page showing what is asked (changes nothing)', security: [], parameters: [idParam('token')], responses: { '200': { description: 'HTML page' }, '403': { description: 'Altered or unknown link' }, '409': { description: 'Already decided' }, '410': { description: 'Expired' } } },
      post: {
        summary: 'Emailed link: decide as the recipient (form fields decision, comment)',
        security: [],
        parameters: [idParam('token')],
        requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { decision: { type: 'string' }, comment: { type: 'string' } } } } } },
        responses: { '200': { description: 'Recorded' }, '403': { description: 'Altered, unknown or someone else\'s link' }, '409': { description: 'Already decided' }, '410': { description: 'Expired' }, '422': { description: 'Refused by a rule' } },
      },
    },
    '/healthz': { get: { summary: 'The process is up', security: [], responses: { '200': { description: 'up' } } } },
    '/readyz': { get: { summary: 'Temporal reachable and a worker polling', security: [], responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
  },
};
