import type { WorkflowHandle } from '@temporalio/client';
import { referralInputOf } from '../helpers/inputs';
import { policyVersionOf } from '../../config';
import { commissionWorkflowId, type CommissionView } from '../../domain/commission';
import { disputeWorkflowId, leadDisputeId, type DisputeInput, type DisputeView } from '../../domain/dispute';
import { calendarOf } from '../../domain/partnership';
import { referralWorkflowId, type ReferralView } from '../../domain/referral';
import { dispute, getDispute } from '../../workflows/dispute';
import { decideTask, getCommission, jointCommission } from '../../workflows/jointCommission';
import { getReferral, resourceAllocation } from '../../workflows/referral';
import { refusal } from '../helpers/timeline';
import { commissionInput, harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

// One `withdraw` Update ends a commission, a dispute or a referral early, with a reason: its open
// tasks are cancelled, those they asked are told by email, running children are withdrawn too,
// and the record says who withdrew it and why. Generous timeouts: each test awaits the result.
jest.setTimeout(90_000);

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

/** The Update by name, as the API sends it. */
const withdraw = (handle: WorkflowHandle, by: string, byPartner: string | undefined, byRoles: string[], reason: string) =>
  handle.executeUpdate('withdraw', { args: [{ by, byPartner, byRoles, reason }] });

async function until<V>(read: () => Promise<V>, ok: (v: V) => boolean): Promise<V> {
  let v: V | undefined;
  for (let i = 0; i < 200; i++) {
    v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the workflow did not reach the expected state: ${JSON.stringify(v).slice(0, 400)}`);
}

/**
 * The workflow's result, or within a minute an error saying why not (its status and any workflow
 * task failures), rather than a test that waits out its timeout.
 */
async function completed<T>(handle: WorkflowHandle, result: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void (async () => {
        const history = await handle.fetchHistory();
        const events = history.events ?? [];
        const failed = events.flatMap((e) => (e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? '?'] : []));
        const status = (await handle.describe()).status.name;
        reject(new Error(`${handle.workflowId} did not complete (${status}); task failures: ${failed.slice(-2).join(' | ') || 'none'}; last events: ${events.slice(-6).map((e) => e.eventType).join(', ')}`));
      })().catch(reject);
    }, 60_000);
  });
  try {
    return await Promise.race([result, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/** While a test runs: every 30 seconds, what the workflow is doing if it has not finished (for a test that hangs). */
function watchdog(handle: WorkflowHandle): () => void {
  const timer = setInterval(() => {
    void (async () => {
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const failed = events.flatMap((e) => (e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? '?'] : []));
      console.error(`${handle.workflowId}: ${(await handle.describe()).status.name}; task failures: ${failed.slice(-2).join(' | ') || 'none'}; last events: ${events.slice(-8).map((e) => e.eventType).join(', ')}`);
    })().catch((err: unknown) => console.error(String(err)));
  }, 30_000);
  return () => clearInterval(timer);
}

const withdrawnMailsTo = async (): Promise<string[]> =>
  (await h.mails())
    .filter((m) => m.subject?.startsWith('Withdrawn'))
    .map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : ''))
    .sort();

test('a commission: its creator withdraws it during the lead dispute; its tasks and the dispute end, those asked are told', async () => {
  await h.run(async () => {
    const input = commissionInput(h.partnership, { partners: h.partnership.partners.filter((p) => p.id !== 'lsc-icb').map((p) => ({ id: p.id, name: p.name })) });
    const handle = await h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    const asked = await until(() => handle.query(getCommission), (v) => v.openTasks.length === 1);
    await handle.executeUpdate(decideTask, { args: [{ taskId: asked.openTasks[0]!.id, by: 'nenc-commissioner', channel: 'api', decision: 'object', comment: 'The ICB should lead' }] });
    const disputeHandle = h.env.client.workflow.getHandle<typeof dispute>(disputeWorkflowId(leadDisputeId(input.id, 1)));
    await until(() => disputeHandle.query(getDispute).catch(() => undefined), (v) => (v?.openTasks.length ?? 0) === 1);

    expect(await refusal(withdraw(handle, 'nenc-commissioner', 'nenc-icb', ['commissioner'], 'Not mine to withdraw'))).toBe('NoAuthority');
    expect(await refusal(withdraw(handle, 'council-commissioner', 'council', ['commissioner'], ''))).toBe('ReasonRequired');
    expect(await refusal(withdraw(handle, 'council-commissioner', 'council', ['commissioner'], 'x'.repeat(2001)))).toBe('ReasonRequired');
    // A senior manager of the lead partner may withdraw it too.
    await withdraw(handle, 'council-senior-manager', 'council', ['senior-manager'], 'The service is no longer needed');
    await completed(handle, handle.result());

    const v: CommissionView = await handle.query(getCommission);
    expect(v.stage).toBe('withdrawn');
    expect(v.openTasks).toEqual([]);
    const last = v.history.filter((e) => e.event === 'withdrawn').at(-1)!;
    expect(last).toMatchObject({ by: 'council-senior-manager', reason: 'The service is no longer needed' });

    // The lead dispute was withdrawn with it: no task of it stays open.
    const d: DisputeView = await disputeHandle.query(getDispute);
    expect(d.stage).toBe('withdrawn');
    expect(d.openTasks).toEqual([]);
    await expect(completed(disputeHandle, disputeHandle.result())).rejects.toThrow(/cancel/i);
    expect(await withdrawnMailsTo()).toContain('commissioner@nenc-icb.example');
  });
});

test('an email on its way when a commission is withdrawn is not recalled: it reaches its reader, and no cancellation of it is asked of the server', async () => {
  // A relay that takes 3 s to accept each message keeps the first request email on its way.
  await h.close();
  h = await harness(h.partnership, { acceptAfterMs: 3_000 });
  await h.run(async () => {
    const input = commissionInput(h.partnership);
    const handle = await h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    await until(
      async () => (await handle.fetchHistory()).events ?? [],
      (events) => {
        const sending = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendTaskEmail').map((e) => Number(e.eventId));
        const ended = new Set(events.flatMap((e) => [e.activityTaskCompletedEventAttributes, e.activityTaskFailedEventAttributes].map((a) => Number(a?.scheduledEventId ?? 0))));
        return sending.some((id) => !ended.has(id));
      },
    );
    await withdraw(handle, 'council-commissioner', 'council', ['commissioner'], 'The service is no longer needed');
    await completed(handle, handle.result());

    // A recall would not stop an email already handed to the relay; it would only leave it out of
    // what the workflow knows it sent (and the time-skipping server wedges when a recall crosses
    // the email's completion, sdk-java#3088).
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskCancelRequestedEventAttributes).map((e) => Number(e.eventId))).toEqual([]);
    await until(() => h.mails(), (mails) => mails.some((m) => !/withdrawn/i.test(m.subject ?? '')));
  });
});

test('a dispute: a senior manager of a party withdraws it; the raiser\'s withdrawDispute still works; others are refused', async () => {
  await h.run(async () => {
    const p = h.partnership;
    let n = 0;
    const input = (): DisputeInput => ({
      id: `jd-wdrw${String(++n).padStart(6, '0')}`,
      subject: { type: 'commission', id: 'jc-abcdefghij', title: 'Short breaks' },
      partners: p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })),
      partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
      matter: 'Who leads the short breaks procurement',
      desiredOutcome: 'council',
      resolutionKind: 'lead-partner',
      raisedBy: { person: 'council-commissioner', partner: 'council' },
      calendar: calendarOf(p),
      policy: p.policies.dispute,
      policyVersion: policyVersionOf(p),
    });
    const one = input();
    const handle = await h.env.client.workflow.start(dispute, { workflowId: disputeWorkflowId(one.id), taskQueue: TASK_QUEUE, args: [one] });
    await until(() => handle.query(getDispute), (v) => v.openTasks.length === 1);
    expect(await refusal(withdraw(handle, 'nenc-commissioner', 'nenc-icb', ['commissioner'], 'Not mine to withdraw'))).toBe('NoAuthority');
    expect(await refusal(withdraw(handle, 'lsc-senior-manager', 'lsc-icb', ['senior-manager'], 'Not a party'))).toBe('NoAuthority');
    await withdraw(handle, 'nenc-senior-manager', 'nenc-icb', ['senior-manager'], 'We have agreed the lead in a meeting');
    expect(await completed(handle, handle.result())).toMatchObject({ status: 'withdrawn', reason: 'We have agreed the lead in a meeting', decidedBy: ['nenc-senior-manager'] });
    const v = await handle.query(getDispute);
    expect(v.openTasks).toEqual([]);
    expect(v.tasks.every((t) => t.status !== 'open')).toBe(true);
    expect(await withdrawnMailsTo()).toEqual(['commissioner@nenc-icb.example']);

    const two = input();
    const second = await h.env.client.workflow.start(dispute, { workflowId: disputeWorkflowId(two.id), taskQueue: TASK_QUEUE, args: [two] });
    await until(() => second.query(getDispute), (x) => x.openTasks.length === 1);
    await second.executeUpdate('withdrawDispute', { args: [{ by: 'council-commissioner', reason: 'Resolved informally' }] });
    expect(await completed(second, second.result())).toMatchObject({ status: 'withdrawn', reason: 'Resolved informally' });
  });
});

test('a referral: a commissioner of a funding partner withdraws it; its position and panel tasks are cancelled and those asked told', async () => {
  await h.run(async () => {
    const p = h.partnership;
    const caseRef = `CYP9${Date.now() % 100000}`;
    const input = referralInputOf(p, caseRef);
    const handle = await h.env.client.workflow.start(resourceAllocation, { workflowId: referralWorkflowId(caseRef), taskQueue: TASK_QUEUE, args: [input] });
    const stop = watchdog(handle);
    try {
    await until(() => handle.query(getReferral), (v) => v.openTasks.length === 2);
    expect(await refusal(withdraw(handle, 'lsc-commissioner', 'lsc-icb', ['commissioner'], 'Not a funder'))).toBe('NoAuthority');
    expect(await refusal(withdraw(handle, 'nenc-rap-member', 'nenc-icb', ['rap-member'], 'Not the referrer'))).toBe('NoAuthority');
    await withdraw(handle, 'nenc-commissioner', 'nenc-icb', ['commissioner'], 'The family moved out of area');
    expect(await completed(handle, handle.result())).toEqual({ status: 'withdrawn' });
    const v: ReferralView = await handle.query(getReferral);
    expect(v.status).toBe('withdrawn');
    expect(v.openTasks).toEqual([]);
    expect(v.history.filter((e) => e.event === 'withdrawn').at(-1)).toMatchObject({ by: 'nenc-commissioner', reason: 'The family moved out of area' });
    const told = await withdrawnMailsTo();
    expect(told).toEqual(expect.arrayContaining(['rap@council.example', 'rap@nenc-icb.example', 'rap.chair@council.example']));
    } finally {
      stop();
    }
  });
});
