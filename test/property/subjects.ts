import type { QueryDefinition } from '@temporalio/common';
import { policyVersionOf } from '../../config';
import { commissionWorkflowId } from '../../domain/commission';
import { disputeWorkflowId, type DisputeInput } from '../../domain/dispute';
import { evaluationIdOf, evaluationRequest, evaluationWorkflowId, isJoint, panelPool, type EvaluationPanelInput, type EvaluationSetup } from '../../domain/evaluation';
import { calendarOf, type Partnership } from '../../domain/partnership';
import { referralIdOf, referralWorkflowId, type ReferralInput } from '../../domain/referral';
import type { Task } from '../../domain/task';
import { dispute, getDispute } from '../../workflows/dispute';
import { evaluationPanel, getEvaluation } from '../../workflows/evaluationPanel';
import { getCommission, jointCommission } from '../../workflows/jointCommission';
import { getReferral, resourceAllocation } from '../../workflows/referral';
import { commissionInput, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';
import { DAY, type WorkflowType } from './scenario';

/** What every subject's page query shows that a scenario reads: its tasks. */
export interface SubjectPage {
  tasks: Task[];
  openTasks: Task[];
}

/** The page query of a subject's workflow, from its workflow id's prefix. */
export function pageQueryOf(workflowId: string): QueryDefinition<SubjectPage> | undefined {
  const prefix = workflowId.slice(0, workflowId.indexOf(':'));
  return ({ commission: getCommission, dispute: getDispute, evaluation: getEvaluation, referral: getReferral } as Record<string, QueryDefinition<SubjectPage>>)[prefix];
}

/** The workflow id of a subject another case waits on (a `subject` wait), from its id's prefix. */
export function workflowIdOfSubject(subjectId: string, rootId: string): string | undefined {
  if (subjectId.startsWith('jd-')) return disputeWorkflowId(subjectId);
  // A panel's workflow is keyed by its commission.
  if (subjectId.startsWith('je-') && rootId.startsWith('commission:')) return evaluationWorkflowId(rootId.slice('commission:'.length));
  return undefined;
}

export interface Started {
  workflowId: string;
  firstRunId: string;
  /** Who may withdraw it, when it can be withdrawn. */
  owner: string;
  /** The lead commissioner, for extensions `as: 'lead'`. */
  lead?: string;
}

const partnersOf = (p: Partnership) => p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name }));

/** Ten lower-case letters and digits: ids must match the subjects' id rules. */
let n = 0;
const nextKey = (prefix: string): string => `${prefix}${String(++n).padStart(10 - prefix.length, '0')}`;

/** A panel's set-up: two bidders, three criteria, three members, scores due in 20 days. */
export function panelSetup(now: number): EvaluationSetup {
  return {
    criteria: [
      { id: 'quality', name: 'Quality of service', kind: 'quality', weight: 50 },
      { id: 'price', name: 'Price', kind: 'price', weight: 30 },
      { id: 'social', name: 'Social value', kind: 'social-value', weight: 20 },
    ],
    bidders: [
      { id: 'acme', name: 'Acme Care' },
      { id: 'north', name: 'North Support' },
    ],
    members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
    scoringDue: new Date(now + 20 * DAY).toISOString(),
  };
}

/** The request the lead commissioner sends to set up a commission's panel. */
export async function panelRequest(h: Harness, partners: string[]) {
  return evaluationRequest(h.partnership, partners, 'council-commissioner', panelSetup(await h.env.currentTimeMs()), policyVersionOf(h.partnership));
}

/** Starts a case of the given type on the test server, as the product would. */
export async function startSubject(h: Harness, type: WorkflowType): Promise<Started> {
  const p = h.partnership;
  const client = h.env.client.workflow;
  switch (type) {
    case 'jointCommission': {
      const input = commissionInput(p, { id: `jc-${nextKey('pc')}`, partners: partnersOf(p), estimatedValue: 50_000 });
      const handle = await client.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
      return { workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId, owner: 'council-commissioner', lead: 'council-commissioner' };
    }
    case 'dispute': {
      const input: DisputeInput = {
        id: `jd-${nextKey('pd')}`,
        subject: { type: 'commission', id: `jc-${nextKey('px')}`, title: 'Short breaks' },
        partners: partnersOf(p),
        partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
        matter: 'Who leads the short breaks procurement',
        desiredOutcome: 'council',
        resolutionKind: 'lead-partner',
        raisedBy: { person: 'council-commissioner', partner: 'council' },
        calendar: calendarOf(p),
        policy: p.policies.dispute,
        policyVersion: policyVersionOf(p),
      };
      const handle = await client.start(dispute, { workflowId: disputeWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
      return { workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId, owner: 'council-commissioner' };
    }
    case 'evaluationPanel': {
      const commissionId = `jc-${nextKey('pe')}`;
      const partners = ['council', 'nenc-icb'];
      const input: EvaluationPanelInput = {
        id: evaluationIdOf(commissionId),
        commission: { id: commissionId, title: 'Short breaks' },
        partners: partnersOf(p),
        leadCommissioner: 'council-commissioner',
        setUpBy: 'council-commissioner',
        setup: panelSetup(await h.env.currentTimeMs()),
        pool: panelPool(p, partners),
        joint: isJoint(p, partners),
        policy: p.policies.evaluationPanel,
        calendar: calendarOf(p),
        policyVersion: policyVersionOf(p),
      };
      const handle = await client.start(evaluationPanel, { workflowId: evaluationWorkflowId(commissionId), taskQueue: TASK_QUEUE, args: [input] });
      return { workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId, owner: 'council-commissioner', lead: 'council-commissioner' };
    }
    case 'resourceAllocation': {
      const caseRef = `PRP${String(++n).padStart(6, '0')}`;
      const input: ReferralInput = {
        id: referralIdOf(caseRef),
        caseRef,
        locality: 'Keswick',
        needs: ['health', 'social-care'],
        packageDescription: 'Overnight nursing care and short breaks',
        annualCost: 180_000,
        proposedSplit: { council: 50, 'nenc-icb': 50 },
        urgent: false,
        fundingPartners: partnersOf(p),
        partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
        referredBy: { person: 'council-rap-member', partner: 'council' },
        calendar: calendarOf(p),
        policy: p.policies.resourceAllocation,
        disputePolicy: p.policies.dispute,
        policyVersion: policyVersionOf(p),
      };
      const handle = await client.start(resourceAllocation, { workflowId: referralWorkflowId(caseRef), taskQueue: TASK_QUEUE, args: [input] });
      return { workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId, owner: 'council-rap-member' };
    }
  }
}
