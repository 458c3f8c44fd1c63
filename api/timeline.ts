import type { HistoryEntry } from '../domain/commission';
import type { Channel } from '../domain/task';
import { partnerName, personById, personName, type Partnership } from '../domain/partnership';
import { ukDateTime } from '../activities/mail';

export interface TimelineItem {
  at: string;
  event: string;
  who?: string | undefined;
  partner?: string | undefined;
  actingFor?: string | undefined;
  channel?: Channel | undefined;
  what: string;
  text: string;
}

/** What each event of the record is, in words (the timelines and the records pages say these, not `task-opened`). */
export const verbs: Record<string, string> = {
  'commission-created': 'started the commission',
  'lead-proposed': 'proposed the lead partner',
  'task-opened': 'a task was opened',
  'reminder-sent': 'a reminder was sent',
  escalated: 'the task was escalated',
  'deadline-extended': 'extended the deadline',
  'task-decided': 'decided',
  'task-expired': 'the task expired',
  'notification-failed': 'an email could not be delivered',
  'email-failed': 'an email failed',
  'lead-agreed': 'the lead partner was agreed',
  'lead-disputed': 'the lead partner was disputed',
  'lead-decided': 'the lead partner was decided',
  'dispute-opened': 'a dispute was opened',
  'dispute-closed': 'the dispute closed',
  'dispute-raised': 'raised the dispute',
  'dispute-stage': 'the dispute moved stage',
  'dispute-withdrawn': 'withdrew the dispute',
  'evaluation-requested': 'set up the evaluation panel',
  'evaluation-set-up': 'the evaluation panel was set up',
  'social-value-justified': 'recorded why social value weighs less than the minimum',
  'conflicts-declared': 'declared interests',
  'composition-broken': "the panel's composition no longer met the rules",
  'member-appointed': 'appointed a panel member',
  'member-withdrawn': 'a panel member dropped out',
  'scoring-closed': 'scoring closed',
  'score-moderated': 'recorded a moderated score',
  'tie-referred': 'a tie was referred back to the panel',
  'evaluation-complete': 'the evaluation was completed',
  'plan-made': 'the plan was made',
  'urgent-route': 'took the expedited route',
  'stage-entered': 'the commission moved stage',
  'step-done': 'a step was completed',
  'gate-rejected': 'refused a gate',
  resubmitted: 'resubmitted',
  'challenge-received': 'recorded a challenge',
  'challenge-decided': 'recorded the outcome of a challenge',
  'award-set-aside': 'the award was set aside',
  'standstill-ended': 'standstill ended',
  'signing-refused': 'the contract dates were refused',
  'contract-started': 'the contract started',
  'review-held': 'a joint review was held',
  'end-of-term-differs': 'the partners chose differently at the end of term',
  'contract-extended': 'the contract was extended',
  recommissioned: 'the service was recommissioned',
  'decommission-decided': 'the partners decided to decommission',
  'exit-planned': 'recorded the exit plan',
  'consultation-recorded': 'recorded the consultation',
  'termination-notice-served': 'recorded the termination notice',
  'contract-ended': 'the contract ended',
  'referral-created': 'referred the case to the Resource Allocation Panel',
  'panel-listed': 'the referral was listed for the panel',
  'positions-differ': "the funding partners' positions differ",
  'split-agreed': 'the funding split was agreed',
  'split-set': 'the dispute set the funding split',
  'panel-decided': "recorded the panel's decision",
  'carried-over': 'the referral was carried to the next panel',
  returned: 'the referral returned from deferral',
  reviewed: 'reviewed the package',
};

/**
 * The commission's record in plain words, from the workflow's own history entries (so it stays
 * true across restarts and continue-as-new): who, for which partner, acting for whom, when, by
 * which channel, what, and why.
 */
export function timelineOf(history: HistoryEntry[], partnership: Partnership): TimelineItem[] {
  const personNameOf = (id?: string) => (id ? personName(partnership, id) : undefined);
  const partnerNameOf = (id?: string) => (id ? partnerName(partnership, id) : undefined);
  return history.map((e) => {
    const who = personNameOf(e.by);
    // A decision on a task that asked people rather than partners: the person's own organisation.
    const partner = e.partner ?? (e.by ? personById(partnership, e.by)?.partner : undefined);
    const what = `${verbs[e.event] ?? e.event}${e.detail ? `: ${e.detail}` : ''}`;
    const parts = [
      ukDateTime(e.at),
      who ? `${who}${partner ? ` (${partnerNameOf(partner)})` : ''}${e.actingFor ? `, acting for ${personNameOf(e.actingFor)}` : ''}` : e.partner ? partnerNameOf(e.partner) : 'The system',
      e.channel ? `by ${{ email: 'emailed link', web: 'the web service', api: 'the API' }[e.channel]}` : undefined,
    ].filter(Boolean);
    return { at: e.at, event: e.event, who: e.by, partner: e.partner, actingFor: e.actingFor, channel: e.channel, what, text: `${parts.join(', ')}: ${what}` };
  });
}
