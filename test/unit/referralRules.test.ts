import { positionsOf, referralRefusal, REFERRAL_TASK_KINDS } from '../../domain/referralRules';
import type { Decision, DecisionRequest, Task } from '../../domain/task';

const funders = ['council', 'nenc-icb'];
const names: Record<string, string> = { council: 'Cumberland Council', 'nenc-icb': 'NHS North East and North Cumbria ICB' };
const partnerName = (id: string) => names[id] ?? id;

const decision = (partner: string, d: string, data?: Record<string, unknown>, comment?: string): Decision => ({ by: `${partner}-rap-member`, partner, decision: d, data, comment, at: '2026-12-01T10:00:00.000Z', channel: 'api' });
const task = (id: string, kind: string, decisions: Decision[] = []): Task =>
  ({ id, kind, title: '', subject: { type: 'referral', id: 'rf-cyp48213' }, assignees: [], options: [], reasonRequiredFor: [], status: 'open', createdAt: '', dueAt: '', escalationLevel: 0, decisions }) as Task;
const ask = (decisionText: string, data?: Record<string, unknown>): DecisionRequest => ({ taskId: 'rf-cyp48213.c1.panel1', by: 'council-rap-chair', decision: decisionText, data, channel: 'api' });
const panel = task('rf-cyp48213.c1.panel1', REFERRAL_TASK_KINDS.panel);
const roundSplits = { 'rf-cyp48213.c1.pos.r1': { council: 50, 'nenc-icb': 50 }, 'rf-cyp48213.c1.pos.r2': { council: 60, 'nenc-icb': 40 } };

test("each partner's latest position in the current cycle, with the split it supports", () => {
  const tasks = [
    task('rf-cyp48213.c0.pos.r1', REFERRAL_TASK_KINDS.position, [decision('council', 'agree')]),
    task('rf-cyp48213.c1.pos.r1', REFERRAL_TASK_KINDS.position, [decision('council', 'agree'), decision('nenc-icb', 'propose', { split: { council: 60, 'nenc-icb': 40 } }, 'More education')]),
    task('rf-cyp48213.c1.pos.r2', REFERRAL_TASK_KINDS.position, [decision('council', 'agree')]),
  ];
  expect(positionsOf(tasks, 'rf-cyp48213', 1, roundSplits, funders).map((p) => [p.partner, p.stance, p.split])).toEqual([
    ['council', 'agree', { council: 60, 'nenc-icb': 40 }],
    ['nenc-icb', 'propose', { council: 60, 'nenc-icb': 40 }],
  ]);
  expect(positionsOf(tasks, 'rf-cyp48213', 2, roundSplits, funders)).toEqual([]);
});

test('quorum: the panel cannot decide until every funding partner has a position, and the refusal names who is missing', () => {
  const council = positionsOf([task('rf-cyp48213.c1.pos.r1', REFERRAL_TASK_KINDS.position, [decision('council', 'agree')])], 'rf-cyp48213', 1, roundSplits, funders);
  const facts = { funders, positions: council, today: '2026-12-08', panelDate: '2026-12-08', partnerName };
  expect(referralRefusal(ask('decline'), panel, facts)).toEqual({
    type: 'RuleRefused',
    message: 'Quorum rule: the panel can decide only when a RAP member of each funding partner has recorded a position; still missing: NHS North East and North Cumbria ICB.',
  });
  const both = [...council, { ...council[0]!, partner: 'nenc-icb' }];
  expect(referralRefusal(ask('decline'), panel, { ...facts, positions: both })).toBeUndefined();
  expect(referralRefusal(ask('approve'), panel, { ...facts, positions: both })?.message).toMatch(/^Split rule: the funding partners have not agreed a split yet/);
  expect(referralRefusal(ask('approve'), panel, { ...facts, positions: both, agreedSplit: { council: 50, 'nenc-icb': 50 } })).toBeUndefined();
  expect(referralRefusal(ask('defer', { returnDate: '2026-12-08' }), panel, { ...facts, positions: both })?.message).toBe('Defer rule: the return date must be after today (2026-12-08).');
});

test('meeting: the panel decision is recorded on the day of the panel or after, not before it has met', () => {
  const both = positionsOf([task('rf-cyp48213.c1.pos.r1', REFERRAL_TASK_KINDS.position, [decision('council', 'agree'), decision('nenc-icb', 'agree')])], 'rf-cyp48213', 1, roundSplits, funders);
  const facts = { funders, positions: both, agreedSplit: { council: 50, 'nenc-icb': 50 }, today: '2026-12-07', panelDate: '2026-12-08', partnerName };
  expect(referralRefusal(ask('approve'), panel, facts)).toEqual({
    type: 'RuleRefused',
    message: "Meeting rule: the panel's decision is recorded once the panel has met, on 2026-12-08 or after; it has not met yet.",
  });
  expect(referralRefusal(ask('approve'), panel, { ...facts, today: '2026-12-08' })).toBeUndefined();
  expect(referralRefusal(ask('approve'), panel, { ...facts, today: '2027-01-05' })).toBeUndefined();
});

test('a proposed split names exactly the funding partners', () => {
  const position = task('rf-cyp48213.c1.pos.r1', REFERRAL_TASK_KINDS.position);
  const facts = { funders, positions: [], today: '2026-12-08', panelDate: '2026-12-10', partnerName };
  expect(referralRefusal({ ...ask('propose', { split: { council: 100 } }), taskId: position.id }, position, facts)?.message).toBe('Split rule: a split names exactly the funding partners (council, nenc-icb).');
  expect(referralRefusal({ ...ask('propose', { split: { council: 30, 'nenc-icb': 70 } }), taskId: position.id }, position, facts)).toBeUndefined();
});
