/**
 * What a failed send means, from the SMTP conversation nodemailer reports (`code`, the `command`
 * answered, `responseCode`, the `response` with its enhanced status such as 5.1.1).
 *
 * Only a refusal of that recipient is permanent: 550/551/553 answered to RCPT TO for them, unless
 * the enhanced status says it is about policy (5.7.x: relaying, signing in) rather than the
 * mailbox. Everything else that is not the recipient's fault is an outage of the partnership's
 * mail (a wrong password, a relay that will not take our mail, the server away, TLS): retried
 * until it mends, and counted for an alert, never "notification failed" and an escalation.
 */
export type MailFailure =
  | { kind: 'recipient-refused'; code: number }
  /** A recipient's mailbox answering 4xx (full, greylisting): retried like any temporary failure, no alert. */
  | { kind: 'recipient-deferred'; code: number }
  | { kind: 'outage'; reason: OutageReason; code?: number | undefined };

/** The label of `jco_mail_outage_total`. */
export type OutageReason = 'authentication' | 'relay' | 'connection' | 'tls' | 'server';

/** Basic codes that refuse one mailbox (RFC 5321 4.2.3): unavailable, not local, name not allowed. */
const RECIPIENT_REFUSALS = new Set([550, 551, 553]);
/** 530 sign-in needed, 534 mechanism too weak, 535 credentials invalid, 538 encryption needed to sign in. */
const AUTHENTICATION = new Set([530, 534, 535, 538]);
const CONNECTION = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export function classifyMailError(err: unknown): MailFailure {
  const e = (err ?? {}) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = `${e.response ?? ''} ${e.message ?? ''}`;
  // The enhanced status (RFC 3463): its class and subject, "5.7" for security or policy.
  const enhanced = /\b([245])\.(\d{1,3})\.\d{1,3}\b/.exec(text);
  const policy = enhanced?.[2] === '7';
  const relay = /relay/i.test(text);
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || (code !== undefined && AUTHENTICATION.has(code)) || /authenticat/i.test(text)) {
    return { kind: 'outage', reason: 'authentication', code };
  }
  if (relay) return { kind: 'outage', reason: 'relay', code };
  if (e.command === 'RCPT TO' && code !== undefined && !policy) {
    if (RECIPIENT_REFUSALS.has(code)) return { kind: 'recipient-refused', code };
    if (code >= 400 && code < 500) return { kind: 'recipient-deferred', code };
  }
  if (policy) return { kind: 'outage', reason: 'relay', code };
  if (e.code === 'ETLS' || /\btls\b|starttls|certificate/i.test(text)) return { kind: 'outage', reason: 'tls', code };
  if (e.code !== undefined && CONNECTION.has(e.code)) return { kind: 'outage', reason: 'connection', code };
  return { kind: 'outage', reason: 'server', code };
}
