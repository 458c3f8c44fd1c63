import { timelineOf } from '../../api/timeline';
import type { HistoryEntry } from '../../domain/commission';
import { personById, type Partnership } from '../../domain/partnership';
import { decidedInWords, partnerName, personName, textInWords } from './words';

/** One entry of MoJ Frontend's timeline component. */
export interface TimelineEntry {
  label: { text: string };
  byline: { text: string };
  datetime: { timestamp: string; type: 'datetime' };
  text: string;
}

const channelWords: Record<string, string> = { web: 'the web service', email: 'an emailed link', api: 'the API' };

/**
 * A subject's timeline on its page (a commission, a dispute, a referral), newest first: the same
 * items as its `GET …/timeline`, each with who, for which partner, acting for whom, when, through
 * which channel and why. The heading is what happened; the details, channel and reason follow.
 */
export function timelineOnPage(p: Partnership, history: HistoryEntry[], named: readonly { id: string; name: string }[] = []): TimelineEntry[] {
  return timelineOf(history, p)
    .map((item, i) => ({ item, entry: history[i] }))
    .reverse()
    .map(({ item, entry }) => {
      const who = item.who ? personName(p, item.who) : undefined;
      // For which partner: the one the decision was for, else the person's own organisation.
      const partner = item.partner ?? (item.who ? personById(p, item.who)?.partner : undefined);
      const byline = who
        ? `${who}${partner ? ` for ${partnerName(p, partner)}` : ''}${item.actingFor ? `, acting for ${personName(p, item.actingFor)}` : ''}`
        : item.partner
          ? partnerName(p, item.partner)
          : 'the system';
      const decided = (text: string) => (entry?.event === 'task-decided' ? decidedInWords(text) : text);
      const detail = entry?.detail ? `${decided(textInWords(p, entry.detail, named))}.` : '';
      const verb = entry?.detail && item.what.endsWith(`: ${entry.detail}`) ? item.what.slice(0, -entry.detail.length - 2) : item.what;
      const how = item.channel ? `Through ${channelWords[item.channel] ?? item.channel}.` : '';
      const why = entry?.reason && !entry.detail?.includes(entry.reason) ? `Why: “${entry.reason}”` : '';
      return {
        label: { text: textInWords(p, verb, named) },
        byline: { text: byline },
        datetime: { timestamp: item.at, type: 'datetime' as const },
        text: [detail, how, why].filter(Boolean).join(' '),
      };
    });
}
