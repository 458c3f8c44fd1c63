/**
 * Records workflow histories for the replay test: `npx tsx test/histories/record.ts <label>`.
 * Run it when a workflow type ships a new version; keep every file it wrote before, so replay
 * proves the new code still runs the histories of workflows already open in production.
 */
import { writeFileSync } from 'node:fs';
import { historyAsJSON } from './format';
import path from 'node:path';
import { commissionWorkflowId } from '../../domain/commission';
import { decideTask, extendTaskDeadline, getCommission, jointCommission, setUpEvaluation } from '../../workflows/jointCommission';
import { getEvaluation } from '../../workflows/evaluationPanel';
import { evaluationRequest, evaluationWorkflowId } from '../../domain/evaluation';
import { policyVersionOf } from '../../config';
import type { FormField } from '../../domain/taskData';
import { answerFor } from '../helpers/answer';
import { commissionInput, harness, TASK_QUEUE } from '../helpers/workflowEnv';

const label = process.argv[2];
if (!label) {
  console.error('usage: npx tsx test/histories/record.ts <version label, e.g. v1>');
  process.exit(1);
}

async function main(): Promise<void> {
  const h = await harness();
  const DAY = 86_400_000;
  await h.run(async () => {
    const start = async (name: string) => {
      const input = commissionInput(h.partnership, { id: `jc-${name.padEnd(10, '0').slice(0, 10)}` });
      return h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    };
    const settle = () => new Promise((r) => setTimeout(r, 1500));
    const agreed = await start('agreed');
    const objected = await start('objected');
    const silent = await start('silent');
    const extended = await start('extended');
    await settle();
    const [o1] = (await objected.query(getCommission)).openTasks;
    await objected.executeUpdate(decideTask, { args: [{ taskId: o1!.id, by: 'nenc-commissioner', channel: 'api', decision: 'object', comment: 'ICB should lead' }] });
    const [e1] = (await extended.query(getCommission)).openTasks;
    await extended.executeUpdate(extendTaskDeadline, {
      args: [{ taskId: e1!.id, by: 'council-commissioner', byPartner: 'council', byRoles: ['commissioner'], dueAt: new Date(Date.parse(e1!.dueAt) + 7 * DAY).toISOString(), reason: 'Board meets later' }],
    });
    await h.env.sleep(12 * DAY); // past the reminders
    await settle();
    for (const t of (await agreed.query(getCommission)).openTasks) {
      // v1 had a task per partner; since v2 one task asks every partner.
      const people = t.partner ? [t.partner === 'nenc-icb' ? 'nenc-commissioner' : 'lsc-commissioner'] : ['nenc-commissioner', 'lsc-commissioner'];
      for (const by of people) {
        await agreed.executeUpdate(decideTask, { args: [{ taskId: t.id, by, channel: 'email', decision: 'agree', linkId: `link-${t.id}-${by}` }] });
      }
    }
    await h.env.sleep(40 * DAY); // past escalation and expiry
    await settle();
    // Disputes the commissions opened (since v3): their histories are stored too.
    for (const [name, handle] of Object.entries({ objected, silent })) {
      const child = h.env.client.workflow.getHandle(`dispute:jd-${handle.workflowId.slice('commission:jc-'.length)}`);
      const history = await child.fetchHistory().catch(() => undefined);
      if (!history) continue;
      const file = path.join(__dirname, `dispute-${label}-${name}.json`);
      writeFileSync(file, historyAsJSON(history));
      console.log(`wrote ${path.relative(process.cwd(), file)} (${history.events?.length} events)`);
    }
    // An evaluation panel (since v4): set up once the lead is agreed, scored, moderated.
    const evaluated = await start('evaluated');
    await settle();
    const [lead] = (await evaluated.query(getCommission)).openTasks;
    for (const by of ['nenc-commissioner', 'lsc-commissioner']) await evaluated.executeUpdate(decideTask, { args: [{ taskId: lead!.id, by, channel: 'api', decision: 'agree' }] });
    const partners = h.partnership.partners.map((p) => p.id);
    const members = ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'];
    const setup = {
      criteria: [
        { id: 'quality', name: 'Quality', kind: 'quality' as const, weight: 80 },
        { id: 'social', name: 'Social value', kind: 'social-value' as const, weight: 20 },
      ],
      bidders: [{ id: 'acme', name: 'Acme Care' }],
      members,
      // The test server's clock has run ahead of the wall clock by now.
      scoringDue: new Date((await h.env.currentTimeMs()) + 20 * DAY).toISOString(),
    };
    await evaluated.executeUpdate(setUpEvaluation, { args: [evaluationRequest(h.partnership, partners, 'council-commissioner', setup, policyVersionOf(h.partnership))] });
    await settle();
    // Since v5 the panel starts when the commission's cycle reaches evaluation: walk it there.
    const firstRun = (await evaluated.describe()).runId;
    const answerCommission = async (until: () => Promise<boolean>, values?: (f: FormField) => unknown) => {
      for (let i = 0; i < 300 && !(await until()); i++) {
        const task = (await evaluated.query(getCommission)).openTasks[0];
        if (!task) {
          await h.env.sleep(DAY);
          continue;
        }
        const a = answerFor(task, { values })!;
        await evaluated.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const panel = h.env.client.workflow.getHandle(evaluationWorkflowId(evaluated.workflowId.slice('commission:'.length)));
    await answerCommission(() => panel.describe().then(() => true, () => false));
    const decidePanel = async (key: string, by: string, decision: string, data?: Record<string, unknown>, comment?: string) => {
      for (let i = 0; i < 50 && !(await panel.query(getEvaluation)).openTasks.some((t) => t.id.endsWith(`.${key}`)); i++) await new Promise((r) => setTimeout(r, 100));
      const task = (await panel.query(getEvaluation)).openTasks.find((t) => t.id.endsWith(`.${key}`))!;
      await panel.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision, data, comment }] });
    };
    for (const [i, m] of members.entries()) {
      await decidePanel(`declare-${m}`, m, 'declare');
      const cell = (score: number) => ({ score, reason: 'Judged against the guidance' });
      await decidePanel(`score-${m}`, m, 'submit', { scores: { acme: { quality: cell(2 + i), social: cell(3) } } });
    }
    await decidePanel('moderate-acme-quality', 'council-commissioner', 'record', { score: 3 }, 'Consensus at moderation');
    await settle();
    // Then on to signature and the first quarterly review, after which the commission continues as new.
    const now = await h.env.currentTimeMs();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await answerCommission(
      async () => (await evaluated.describe()).runId !== firstRun,
      (f) => (f.path[0] === 'start' ? day(now + 20 * DAY) : f.path[0] === 'end' ? day(now + 760 * DAY) : undefined),
    );
    await settle();
    const continued = await evaluated.fetchHistory();
    const continuedFile = path.join(__dirname, `jointCommission-${label}-continued.json`);
    writeFileSync(continuedFile, historyAsJSON(continued));
    console.log(`wrote ${path.relative(process.cwd(), continuedFile)} (${continued.events?.length} events)`);
    const panelHistory = await panel.fetchHistory();
    const panelFile = path.join(__dirname, `evaluationPanel-${label}-evaluated.json`);
    writeFileSync(panelFile, historyAsJSON(panelHistory));
    console.log(`wrote ${path.relative(process.cwd(), panelFile)} (${panelHistory.events?.length} events)`);

    const evaluatedFirstRun = h.env.client.workflow.getHandle(evaluated.workflowId, firstRun);
    for (const [name, handle] of Object.entries({ agreed, objected, silent, extended, evaluated: evaluatedFirstRun })) {
      const history = await handle.fetchHistory();
      const file = path.join(__dirname, `jointCommission-${label}-${name}.json`);
      writeFileSync(file, historyAsJSON(history));
      console.log(`wrote ${path.relative(process.cwd(), file)} (${history.events?.length} events)`);
    }
  });
  await h.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
