import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, patched, setHandler } from '@temporalio/workflow';
import { addDuration } from '../domain/duration';
import {
  compositionBreaches,
  declarationFields,
  interestsDeclared,
  evaluationPanelInputSchema,
  needingModeration,
  PANEL_TASK_KINDS,
  rank,
  resultMatrix,
  scoresFrom,
  scoringFields,
  weightedTotals,
  type EvaluationOutcome,
  type EvaluationPanelInput,
  type EvaluationResult,
  type EvaluationView,
  type Moderated,
  type PanelMember,
  type PanelPhase,
  type Score,
} from '../domain/evaluation';
import { runTask } from './humanTask';
import { endedOrLong, resumably, type Resumable } from './runLength';
import { carriedState, pageOf, showIndexes, subjectRecord, wholeHistory, type SubjectState } from './subject';
import { decideTask, extendTaskDeadline } from './taskMessages';
import { endCancelled, quietOnCancel } from './withdrawal';

// Messages live beside the workflow; the API imports these handles.
export const getEvaluation = defineQuery<EvaluationView>('getEvaluation');
export { decideTask, extendTaskDeadline };

export interface PanelState extends SubjectState {
  phase: PanelPhase;
  members: PanelMember[];
  scores: Score[];
  moderated: (Moderated & { by: string; at: string })[];
  waitingForReplacement: string[];
  result?: EvaluationResult;
  /** Bidders a replacement was asked for (or nobody was left to ask): never asked again. Carried across continue-as-new. */
  replacing?: string[];
  /** Replacements being asked for now, with their task's key: a new run resumes the same task. */
  appointing?: { bidder: string; key: string; why: string }[];
}

/**
 * A joint evaluation panel (DOMAIN.md section 2): conflicts declared before anyone sees the
 * bids, independent blind scoring with a reason for every score, a replacement when a conflict
 * breaks the panel's composition, moderation where scores diverge, then weighted totals and a
 * recommendation. A child of its commission; its record joins the commission's.
 */
export async function evaluationPanel(rawInput: EvaluationPanelInput, resumed?: PanelState): Promise<EvaluationOutcome> {
  const parsed = evaluationPanelInputSchema().safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid evaluation input: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidInput');
  const input = parsed.data;
  const { setup, policy, pool } = input;
  const title = `Evaluation: ${input.commission.title}`;
  const state: PanelState = resumed ?? {
    phase: 'declaring',
    members: setup.members.map((person) => ({ person, bidders: setup.bidders.map((b) => b.id), declared: false, conflicts: [], scoring: 'waiting' })),
    scores: [],
    moderated: [],
    waitingForReplacement: [],
    history: [],
    recorded: 0,
    tasks: [],
    usedLinks: [],
  };
  const { book, note, publish, tasks, drain, busy } = subjectRecord({
    id: input.id,
    title,
    policyVersion: input.policyVersion,
    partners: input.partners,
    calendar: input.calendar,
    state,
    leadCommissioner: input.leadCommissioner,
    publish: () => indexes(),
    shown: () => ({ type: 'evaluation', status: state.phase, partners: input.partners.map((p) => p.id), open: state.phase !== 'complete' && !state.withdrawn, view: pageOf(view()) }),
  });
  const subject = { type: 'evaluation' as const, id: input.id, title };
  /** A task key of this attempt: a panel started again asks under ids of its own. */
  const keyed = (key: string): string => (input.attempt && input.attempt > 1 ? `${key}.attempt${input.attempt}` : key);
  const nameOf = (person: string): string => pool.find((p) => p.id === person)?.name ?? person;
  const bidderName = (id: string): string => setup.bidders.find((b) => b.id === id)?.name ?? id;
  const criterionName = (id: string): string => setup.criteria.find((c) => c.id === id)?.name ?? id;
  const lead = [{ person: input.leadCommissioner }];

  const indexes = (): void => showIndexes(book, { memoTitle: title, stage: `evaluation-${state.phase}`, partners: input.partners.map((p) => p.id), title: input.commission.title });

  const socialValueWeight = setup.criteria.filter((c) => c.kind === 'social-value').reduce((a, c) => a + c.weight, 0);
  /**
   * Scores of a member whose scoring task is decided but not yet taken in (that happens a step
   * later, when the panel's code wakes): so a page written in between, or read at once after
   * the decision, shows them. Computed, not commanded: histories replay unchanged.
   */
  const scoresJustDecided = (): EvaluationView['scores'] =>
    state.members.flatMap((member) => {
      if (member.scoring !== 'open') return [];
      const task = book.byKey(input.id, keyed(`score-${member.person}${member.replacing ? `-for-${member.replacing.bidder}` : ''}`));
      return task?.status === 'decided' && task.decision ? scoresFrom(member.person, task.decision.data) : [];
    });
  const view = (): EvaluationView => ({
    id: input.id,
    commission: input.commission,
    partners: input.partners.map((p) => p.id),
    phase: state.phase,
    criteria: setup.criteria,
    bidders: setup.bidders,
    scale: { min: 0, max: policy.scaleMax },
    scoringDue: setup.scoringDue,
    socialValue: { weight: socialValueWeight, minimum: policy.minSocialValueWeight, justification: setup.socialValueJustification },
    members: state.members,
    scores: [...state.scores, ...scoresJustDecided()],
    moderated: state.moderated,
    waitingForReplacement: state.waitingForReplacement,
    result: state.result,
    tasks: book.all,
    openTasks: book.open,
    history: state.history,
  });
  setHandler(getEvaluation, view);

  /**
   * Since `panel-continues-as-new`, a panel left waiting for years (moderation, a replacement, a
   * tie-break, reminded for ever) continues as new once its run is long, at a moment when every
   * journey, replacement, moderation and tie-break in hand waits on an open task: the new run
   * resumes from its state by phase, and those tasks from the book under the same ids.
   */
  const continuing = patched('panel-continues-as-new');
  let journeys = 0;
  /** Moderations and the tie-break in hand. */
  let deciding = 0;
  const resumable: Resumable = { waits: 0 };
  const replacing = new Set<string>(state.replacing ?? []);
  /** A task's wait, counted (since the patch) so the panel knows every flow is at one. */
  const waitFor = <T>(p: Promise<T>): Promise<T> => (continuing ? resumably(resumable, p) : p);
  /** A moderation's or the tie-break's wait: a flow of its own while it lasts. */
  const decidedBy = <T>(p: Promise<T>): Promise<T> => {
    if (!continuing) return p;
    deciding++;
    return resumably(resumable, p).finally(() => deciding--);
  };
  /** Journeys run beside the panel; since the patch not among the emails and writes `drain()` waits for. */
  const flows: Promise<unknown>[] = [];
  const follow = (p: Promise<unknown>): void => {
    if (!continuing) return tasks.track(p);
    quietOnCancel(p);
    flows.push(p);
  };
  const canContinue = (): boolean => resumable.waits > 0 && resumable.waits === journeys + deciding && !busy() && !state.withdrawn;

  try {
    const ran = continuing
      ? await endedOrLong(panel(), canContinue, async () => {
          await drain();
          await condition(allHandlersFinished);
        }, input.historyBound)
      : { ended: await panel() };
    if (ran !== 'continue-as-new') return ran.ended;
  } catch (err) {
    // Cancelled by its commission (withdrawn): its open tasks close and its record says so.
    await endCancelled(err, tasks, 'The evaluation panel', drain, (w) => {
      state.withdrawn = w;
    });
    throw err;
  }
  // Carried: the state by phase and the book of tasks; the history the record holds stays there.
  state.replacing = [...replacing];
  return continueAsNew<typeof evaluationPanel>(input, carriedState(state));

  async function panel(): Promise<EvaluationOutcome> {
  if (!resumed) {
    note({
      event: 'evaluation-set-up',
      by: input.setUpBy,
      detail:
        `Criteria: ${setup.criteria.map((c) => `${c.name} (${c.kind}, ${c.weight}%)`).join('; ')}. ` +
        `Bidders: ${setup.bidders.map((b) => b.name).join(', ')}. Members: ${setup.members.map(nameOf).join(', ')}. Scores due ${setup.scoringDue}.`,
    });
    if (socialValueWeight < policy.minSocialValueWeight) {
      note({
        event: 'social-value-justified',
        by: input.setUpBy,
        detail: `Social value carries ${socialValueWeight}%, below the partnership's ${policy.minSocialValueWeight}%. Justification: ${setup.socialValueJustification}`,
      });
    }
  }

  /** Members still able to score a bidder: declared, not conflicted on it, not yet out of time. */
  const scorersOf = (bidder: string): string[] =>
    state.members.filter((m) => m.bidders.includes(bidder) && m.scoring !== 'not-scored' && !m.conflicts.some((c) => c.bidder === bidder)).map((m) => m.person);

  /** One member from declaration to scores. Nobody sees a bid before declaring on it. */
  async function memberJourney(member: PanelMember): Promise<void> {
    journeys++;
    try {
      const bidders = setup.bidders.filter((b) => member.bidders.includes(b.id));
      // A member carried into a new run after declaring goes on to their scoring task.
      if (!member.declared) {
        const declared = await waitFor(runTask(tasks, {
          key: keyed(`declare-${member.person}${member.replacing ? `-for-${member.replacing.bidder}` : ''}`),
          kind: PANEL_TASK_KINDS.declaration,
          title: `Declare any conflict of interest before evaluating ${bidders.length === 1 ? bidders[0]!.name : `${bidders.length} bids`}`,
          subject,
          options: ['declare'],
          completion: 'any',
          ask: [{ people: [{ person: member.person }] }],
          fields: declarationFields(bidders),
          due: policy.declarationDue,
          reminders: ['1 working day'],
          escalation: [{ to: lead, mode: 'notify', due: policy.declarationDue }],
          ifNoAnswer: 'The lead commissioner is told; without a declaration you cannot score, and a replacement may be appointed.',
          briefing: bidders.map((b) => `Bidder: ${b.name}`),
        }));
        if (declared.status !== 'decided') {
          member.scoring = 'not-scored';
          note({ event: 'member-withdrawn', detail: `${nameOf(member.person)} made no declaration, so does not score` });
          for (const b of bidders) checkComposition(b.id);
          return;
        }
        member.declared = true;
        // Before the patch a blank interest was recorded as a conflict; histories that did so replay as they ran.
        member.conflicts = patched('blank-interest-is-none')
          ? interestsDeclared(declared.decision.data)
          : Object.entries((declared.decision.data?.conflicts ?? {}) as Record<string, string>).map(([bidder, interest]) => ({ bidder, interest: interest.trim() }));
        note({
          event: 'conflicts-declared',
          by: member.person,
          detail: member.conflicts.length
            ? `${nameOf(member.person)} declared: ${member.conflicts.map((c) => `${bidderName(c.bidder)}, "${c.interest}"`).join('; ')}. Removed from scoring ${member.conflicts.map((c) => bidderName(c.bidder)).join(', ')}.`
            : `${nameOf(member.person)} declared no conflict of interest`,
        });
        for (const c of member.conflicts) checkComposition(c.bidder);
      }
      const toScore = member.bidders.filter((b) => !member.conflicts.some((c) => c.bidder === b));
      if (toScore.length === 0) {
        member.scoring = 'nothing-to-score';
        publish();
        return;
      }
      member.scoring = 'open';
      state.phase = state.phase === 'declaring' ? 'scoring' : state.phase;
      const now = new Date();
      const latestStart = addDuration(input.calendar, now, policy.replacementScoringTime);
      const dueAt = member.replacing && latestStart > new Date(setup.scoringDue) ? latestStart.toISOString() : setup.scoringDue;
      const scored = await waitFor(runTask(tasks, {
        key: keyed(`score-${member.person}${member.replacing ? `-for-${member.replacing.bidder}` : ''}`),
        kind: PANEL_TASK_KINDS.scoring,
        title: `Score ${toScore.length === 1 ? bidderName(toScore[0]!) : `${toScore.length} bids`} independently`,
        subject,
        options: ['submit'],
        completion: 'any',
        ask: [{ people: [{ person: member.person }] }],
        fields: scoringFields(setup, toScore, policy.scaleMax),
        due: policy.declarationDue,
        dueAt,
        reminders: policy.scoringReminders,
        escalation: [{ to: lead, mode: 'notify', due: policy.scoringGrace }],
        ifNoAnswer: `The lead commissioner is told at the deadline, and scores are taken for ${policy.scoringGrace} more; after that the panel goes on without yours.`,
        briefing: setup.criteria.map((c) => `${c.name} (${c.kind}, ${c.weight}%)${c.guidance ? `: ${c.guidance}` : ''}`),
      }));
      if (scored.status === 'decided') {
        state.scores.push(...scoresFrom(member.person, scored.decision.data));
        member.scoring = 'scored';
      } else {
        member.scoring = 'not-scored';
        note({ event: 'member-withdrawn', detail: `${nameOf(member.person)} did not score by the deadline; the panel goes on without their scores` });
        for (const b of toScore) checkComposition(b);
      }
      publish();
    } finally {
      journeys--;
    }
  }

  /** When a bidder's scorers no longer make a lawful panel, the lead commissioner appoints a replacement. */
  function checkComposition(bidder: string): void {
    const breaches = compositionBreaches(scorersOf(bidder), pool, input.joint, policy);
    if (breaches.length === 0 || replacing.has(bidder)) return;
    replacing.add(bidder);
    state.waitingForReplacement.push(bidder);
    note({ event: 'composition-broken', detail: `Scoring of ${bidderName(bidder)} waits for a replacement member: ${breaches.map((b) => b.message).join(' ')}` });
    follow(appointReplacement(bidder, breaches.map((b) => b.message).join(' ')));
  }

  /** `key` is the task's, when a new run takes up a replacement asked for before. */
  async function appointReplacement(bidder: string, why: string, key?: string): Promise<void> {
    journeys++;
    let asked: string | undefined;
    try {
      const current = new Set(state.members.map((m) => m.person));
      const choices = pool.filter((p) => !current.has(p.id)).map((p) => ({ value: p.id, label: `${p.name}${p.livedExperience ? ' (lived experience)' : ''}` }));
      if (choices.length === 0) {
        note({ event: 'composition-broken', detail: `Nobody in the partnership is left to appoint for ${bidderName(bidder)}; it is scored by the members who can: ${why}` });
        state.waitingForReplacement = state.waitingForReplacement.filter((b) => b !== bidder);
        return;
      }
      const conflicted = state.members.find((m) => m.conflicts.some((c) => c.bidder === bidder) || (m.scoring === 'not-scored' && m.bidders.includes(bidder)));
      asked = key ?? keyed(`replace-for-${bidder}-${state.members.length}`);
      if (continuing && !key) (state.appointing ??= []).push({ bidder, key: asked, why });
      const appointed = await waitFor(runTask(tasks, {
        key: asked,
        kind: PANEL_TASK_KINDS.replacement,
        title: `Appoint a panel member to evaluate ${bidderName(bidder)}`,
        subject,
        options: ['appoint'],
        completion: 'any',
        ask: [{ people: lead }],
        fields: [{ path: ['member'], label: 'The member appointed', type: 'choice', required: true, choices }],
        due: policy.replacementDue,
        reminders: ['1 working day'],
        escalation: [],
        overdueReminders: '1 working day',
        ifNoAnswer: `Scoring of ${bidderName(bidder)} waits until a member is appointed; reminders continue each working day.`,
        briefing: [why],
      }));
      if (appointed.status !== 'decided') return;
      const person = appointed.decision.data?.member as string;
      const member: PanelMember = {
        person,
        bidders: [bidder],
        declared: false,
        conflicts: [],
        scoring: 'waiting',
        ...(conflicted ? { replacing: { bidder, person: conflicted.person } } : {}),
      };
      state.members.push(member);
      replacing.delete(bidder);
      state.waitingForReplacement = state.waitingForReplacement.filter((b) => b !== bidder);
      note({ event: 'member-appointed', by: appointed.decision.by, detail: `${nameOf(person)} appointed to evaluate ${bidderName(bidder)}${conflicted ? ` in place of ${nameOf(conflicted.person)}` : ''}` });
      publish();
      follow(memberJourney(member));
    } finally {
      if (state.appointing) state.appointing = state.appointing.filter((a) => a.key !== asked);
      journeys--;
    }
  }

  if (state.phase === 'declaring' || state.phase === 'scoring') {
    publish();
    // A carried panel takes up the journeys still waiting (to declare, to score) and the replacements being asked for.
    const waiting = (m: PanelMember): boolean => !resumed || (!m.declared && m.scoring === 'waiting') || m.scoring === 'open';
    for (const m of state.members) if (waiting(m)) follow(memberJourney(m));
    if (resumed) for (const a of state.appointing ?? []) follow(appointReplacement(a.bidder, a.why, a.key));
    // Journeys start synchronously, so the count is positive before this waits.
    await condition(() => journeys === 0);

    state.phase = 'moderating';
    note({
      event: 'scoring-closed',
      detail: `Every member has scored or run out of time. Scores: ${state.scores.map((s) => `${nameOf(s.member)} gave ${bidderName(s.bidder)} ${s.score} for ${criterionName(s.criterion)} ("${s.reason}")`).join('; ')}`,
    });
    publish();
  }

  if (state.phase === 'moderating') {
    const diverging = needingModeration(state.scores, policy.moderationSpread);
    await Promise.all(
      diverging.map(async (item) => {
        // Moderated in an earlier run: done.
        if (state.moderated.some((m) => m.bidder === item.bidder && m.criterion === item.criterion)) return;
        const originals = state.scores.filter((s) => s.bidder === item.bidder && s.criterion === item.criterion);
        const moderated = await decidedBy(runTask(tasks, {
          key: keyed(`moderate-${item.bidder}-${item.criterion}`),
          kind: PANEL_TASK_KINDS.moderation,
          title: `Moderate ${bidderName(item.bidder)} on ${criterionName(item.criterion)}: scores ${Math.min(...item.scores)} to ${Math.max(...item.scores)}`,
          subject,
          options: ['record'],
          reasonRequiredFor: ['record'],
          completion: 'any',
          ask: [{ people: lead }],
          notify: state.members.filter((m) => originals.some((s) => s.member === m.person)).map((m) => ({ person: m.person })),
          fields: [{ path: ['score'], label: 'The consensus score', type: 'integer', required: true, min: 0, max: policy.scaleMax }],
          due: policy.moderationDue,
          reminders: ['2 working days'],
          escalation: [],
          overdueReminders: '2 working days',
          ifNoAnswer: 'The evaluation waits for the consensus score; reminders continue every 2 working days.',
          briefing: originals.map((s) => `${nameOf(s.member)}: ${s.score}, "${s.reason}"`),
        }));
        if (moderated.status !== 'decided') return;
        const d = moderated.decision;
        state.moderated.push({ bidder: item.bidder, criterion: item.criterion, score: d.data?.score as number, rationale: d.comment ?? '', by: d.by, at: d.at });
        note({
          event: 'score-moderated',
          by: d.by,
          detail: `${bidderName(item.bidder)}, ${criterionName(item.criterion)}: members scored ${item.scores.join(', ')}; consensus ${String(d.data?.score)}. Rationale: ${d.comment}`,
        });
      }),
    );
  }

  const ranking = rank(weightedTotals(setup, state.scores, state.moderated, policy.scaleMax));
  const result: EvaluationResult = { ranking: ranking.order, recommended: ranking.recommended, matrix: resultMatrix(setup, state.scores, state.moderated, policy.scaleMax) };
  if (ranking.referredToPanel) {
    const tied = ranking.referredToPanel;
    // A carried panel already at the tie-break takes up its task.
    if (state.phase !== 'tie-break') {
      state.phase = 'tie-break';
      note({ event: 'tie-referred', detail: `${tied.map(bidderName).join(' and ')} tie on total and on quality; referred back to the panel` });
    }
    const broken = await decidedBy(runTask(tasks, {
      key: keyed('tie-break'),
      kind: PANEL_TASK_KINDS.tieBreak,
      title: `Choose between ${tied.map(bidderName).join(' and ')}, tied on total and quality`,
      subject,
      options: tied,
      reasonRequiredFor: tied,
      completion: 'any',
      ask: [{ people: lead }],
      notify: state.members.map((m) => ({ person: m.person })),
      due: policy.moderationDue,
      reminders: ['2 working days'],
      escalation: [],
      overdueReminders: '2 working days',
      ifNoAnswer: 'The evaluation waits for the panel; reminders continue every 2 working days.',
      briefing: ranking.order.map((r) => `${bidderName(r.bidder)}: total ${r.total}, quality ${r.quality}`),
    }));
    const chosen = broken.status === 'decided' ? broken.outcome : undefined;
    result.tieBreak = { tied, chosen, reason: broken.status === 'decided' ? broken.decision.comment : undefined };
    result.recommended = chosen;
  }
  state.result = result;
  state.phase = 'complete';
  note({
    event: 'evaluation-complete',
    detail:
      `Ranking: ${result.ranking.map((r, i) => `${i + 1}. ${bidderName(r.bidder)} ${r.total} (quality ${r.quality})`).join('; ')}. ` +
      (result.recommended ? `Recommended: ${bidderName(result.recommended)}${result.tieBreak ? `, chosen by the panel over a tie: ${result.tieBreak.reason}` : ''}.` : 'No recommendation.'),
  });
  publish();
  await drain();
  if (!continuing) return { recommended: result.recommended, result, record: state.history };
  await Promise.all(flows);
  // The commission's record takes the panel's whole story: what earlier runs left in the record too.
  return { recommended: result.recommended, result, record: await wholeHistory(input.id, state) };
}
}
