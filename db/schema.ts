/**
 * The system of record's tables, the same on both engines. Instants are ISO 8601 text in UTC
 * (they sort as text on either engine); documents are JSON text.
 */
export interface RecordSchema {
  /** The decision record: append-only, one row per event of one case, hash-chained per case. */
  record_events: {
    subject_id: string;
    /** The case: a business id used again (a case referred again) is a new instance, never mixed. */
    instance: string;
    seq: number;
    subject_type: string;
    at: string;
    event: string;
    by_person: string | null;
    partner: string | null;
    role: string | null;
    acting_for: string | null;
    channel: string | null;
    what: string | null;
    reason: string | null;
    policy_version: string;
    prev_hash: string | null;
    hash: string;
    recorded_at: string;
  };
  /** The policy text behind every policy version, so a version can be read years later. */
  policies: { version: string; text: string; recorded_at: string };
  /** What people read about a subject: one row per case, written only by its workflow. */
  subjects: {
    subject_id: string;
    instance: string;
    subject_type: string;
    workflow_id: string;
    title: string;
    status: string;
    lead_partner: string | null;
    lead_status: string | null;
    /** JSON array of partner ids; matched as `%"id"%` (ids are [a-z0-9-]). */
    partners: string;
    next_due_at: string | null;
    is_open: number;
    started_at: string;
    ended_at: string | null;
    updated_at: string;
    /** The workflow's projection number: a lower or equal one is stale and changes nothing. */
    seq: number;
    view: string;
  };
  tasks: {
    task_id: string;
    subject_id: string;
    instance: string;
    subject_type: string;
    kind: string;
    status: string;
    due_at: string;
    created_at: string;
    body: string;
    seq: number;
  };
  /** Who may decide an open task now (assignees and deputies): the inbox's index. */
  task_assignees: { task_id: string; instance: string; person: string };
  /** Every email, recorded before it leaves and marked after the SMTP server accepts it. */
  outbox: {
    message_id: string;
    task_id: string;
    recipient: string;
    purpose: string;
    status: 'sending' | 'sent';
    attempts: number;
    created_at: string;
    sent_at: string | null;
  };
  /** Legal holds (FOIA 2000 s.77): while one is in place, nothing of the subject is disposed of. */
  holds: {
    hold_id: string;
    subject_id: string;
    placed_by: string;
    placed_at: string;
    reason: string;
    lifted_by: string | null;
    lifted_at: string | null;
    lift_reason: string | null;
  };
  /** What was disposed of under the retention policy: the case, when, by whom, its last hash. */
  disposals: {
    subject_id: string;
    instance: string;
    subject_type: string;
    disposed_at: string;
    disposed_by: string;
    events: number;
    last_hash: string | null;
  };
  /** Every delegation, kept after it ends or is revoked (db/delegations.ts). */
  delegations: {
    delegation_id: string;
    principal: string;
    deputy: string;
    /** JSON array of the principal's roles the deputy also holds. */
    roles: string;
    from_at: string;
    to_at: string;
    set_at: string;
    /** `set` (runs to `to_at`), `revoked` or `replaced` (cut short at `revoked_at`). */
    status: string;
    revoked_at: string | null;
    revoked_by: string | null;
    /** The register's projection number: a lower or equal one is stale and changes nothing. */
    seq: number;
  };
  /** The staff web service's sessions (db/sessions.ts): revocable, only the id's digest kept. */
  web_sessions: {
    id_digest: string;
    /** Who signed in; null while the session is anonymous (the sign-in pages). */
    person: string | null;
    /** `development` or `oidc`. */
    signed_in_by: string | null;
    csrf_token: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
    revoked_at: string | null;
    /** JSON: single sign-on's PKCE verifier, state, nonce and where to go after, while it is under way. */
    sign_in_state: string | null;
  };
  /** The access audit (db/accessAudit.ts): one row per read of a referral, an evaluation or a decision record. */
  access_reads: {
    id: string;
    /** The subject the read is listed under: a referral, a commission (its panel too) or a dispute. */
    subject_id: string;
    subject_type: string;
    /** What exactly was read: the subject, its panel, one of its tasks, or its decision record. */
    read_of: string;
    kind: string;
    person: string;
    partner: string | null;
    /** `api` or `web`. */
    channel: string;
    address: string | null;
    at: string;
  };
  /** Requests per client and minute window, shared by the API instances (db/rateLimits.ts). */
  rate_limit_hits: {
    /** The limiter and a digest of its client key (an address or a person). */
    bucket: string;
    window_start: string;
    hits: number;
  };
  /** One-off imports already done (the old var/records files). */
  imports: { name: string; at: string; detail: string };
}
