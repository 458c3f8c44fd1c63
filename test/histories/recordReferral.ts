/**
 * Records resourceAllocation histories for the replay test: `npx tsx test/histories/recordReferral.ts <label>`.
 * Kept apart from record.ts so recording referrals never rewrites the commissions' histories.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { policyVersionOf } from '../../config';
import { ukDate } from '../../domain/calendar';
import { calendarOf } from '../../domain/partnership';
import { referralIdOf, referralWorkflowId, type ReferralInput } from '../../domain/referral';
import { disputeWorkflowId } from '../../domain/dispute';
import { decideTask as decideDisputeTask, getDispute } from '../../workflows/dispute';
import { decideTask, getReferral, resourceAllocation } from '../../workflows/referral';
import { harness, TASK_QUEUE } from '../helpers/workflowEnv';
import { historyAsJSON } from './format';

const label = process.argv[2];
if (!label) {
  console.error('usage: npx tsx test/histories/recordReferral.ts <version label, e.g. rap>');
  process.exit(1);
}

async function main(): Promise<void> {
  const h = await harness();
  const DAY = 86_400_000;
  const p = h.partnership;
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  await h.run(async () => {
    const start = async (caseRef: string, urgent = false) => {
      const input: ReferralInput = {
        id: referralIdOf(caseRef),
        caseRef,
        locality: 'Keswick',
        needs: ['health'],
        packageDescription: 'Recorded package',
        annualCost: 100_000,
        proposedSplit: { council: 50, 'nenc-icb': 50 },
        urgent,
        fundingPartners: p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })),
        partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
        referredBy: { person: 'council-rap-member', partner: 'council' },
        calendar: calendarOf(p),
        policy: p.policies.resourceAllocation,
        disputePolicy: p.policies.dispute,
        policyVersion: policyVersionOf(p),
      };
      return h.env.client.workflow.start(resourceAllocation, { workflowId: referralWorkflowId(caseRef), taskQueue: TASK_QUEUE, args: [input] });
    };
    const decide = async (handle: WorkflowHandle<typeof resourceAllocation>, kind: string, by: string, decision: string, comment?: string, data?: Record<string, unknown>) => {
      let task = (await handle.query(getReferral)).openTasks.find((t) => t.kind === kind);
      for (let i = 0; i < 50 && !task; i++) {
        await new Promise((r) => setTimeout(r, 200));
        task = (await handle.query(getReferral)).openTasks.find((t) => t.kind === kind);
      }
      if (!task) throw new Error(`${handle.workflowId} has no open ${kind} task`);
      await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision, comment, data }] });
      await settle();
    };
    const approved = await start('REC001');
    const deferred = await start('REC002', true);
    const disputed = await start('REC003');
    await settle();
    for (const handle of [approved, deferred]) await decide(handle, 'referral-position', 'council-rap-member', 'agree');
    await decide(approved, 'referral-position', 'nenc-rap-member', 'agree');
    await decide(approved, 'referral-panel-decision', 'council-rap-chair', 'approve');
    await decide(deferred, 'referral-position', 'nenc-rap-member', 'agree');
    const today = ukDate(new Date(await h.env.currentTimeMs()));
    await decide(deferred, 'referral-panel-decision', 'council-rap-chair', 'defer', 'Assessment awaited', { returnDate: ukDate(new Date(Date.parse(`${today}T12:00:00Z`) + 20 * DAY)) });
    await decide(disputed, 'referral-position', 'council-rap-member', 'agree');
    await decide(disputed, 'referral-position', 'nenc-rap-member', 'propose', 'More social care', { split: { council: 70, 'nenc-icb': 30 } });
    const panelAt = Date.parse((await disputed.query(getReferral)).panelAt);
    await h.env.sleep(panelAt - (await h.env.currentTimeMs()) + 60_000); // just past the panel: the dispute opens
    await settle();
    const disputeId = (await disputed.query(getReferral)).disputes[0]!.id;
    const child = h.env.client.workflow.getHandle(disputeWorkflowId(disputeId));
    const [early] = (await child.query(getDispute)).openTasks;
    await child.executeUpdate(decideDisputeTask, { args: [{ taskId: early!.id, by: 'nenc-commissioner', channel: 'api', decision: 'accept' }] });
    await settle();
    await decide(disputed, 'referral-panel-decision', 'council-rap-chair', 'decline', 'Universal services meet the need');
    const back = Date.parse(`${(await deferred.query(getReferral)).decision!.returnDate!}T12:00:00Z`);
    await h.env.sleep(back - (await h.env.currentTimeMs())); // past the deferral's return, before its panel
    await settle();
    await decide(deferred, 'referral-position', 'council-rap-member', 'agree');
    await decide(deferred, 'referral-position', 'nenc-rap-member', 'agree');
    await decide(deferred, 'referral-panel-decision', 'council-rap-chair', 'decline', 'Needs met elsewhere');

    const write = (name: string, history: Parameters<typeof historyAsJSON>[0]) => {
      const file = path.join(__dirname, `${name}.json`);
      writeFileSync(file, historyAsJSON(history));
      console.log(`wrote ${path.relative(process.cwd(), file)} (${history.events?.length} events)`);
    };
    // The approved referral's first run ends in continue-as-new before its first review.
    write(`resourceAllocation-${label}-approved`, await h.env.client.workflow.getHandle(approved.workflowId, approved.firstExecutionRunId).fetchHistory());
    write(`resourceAllocation-${label}-awaiting-review`, await approved.fetchHistory());
    write(`resourceAllocation-${label}-deferred`, await deferred.fetchHistory());
    write(`resourceAllocation-${label}-disputed`, await disputed.fetchHistory());
    write(`dispute-${label}-split`, await child.fetchHistory());
  });
  await h.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
