import nodemailer from 'nodemailer';
import { ApplicationFailure } from '@temporalio/common';
import type { MetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type TaskEmailInput } from '../../activities';
import { classifyMailError } from '../../activities/mailErrors';
import { createLinkSigner } from '../../activities/links';
import { loadPartnership } from '../../config';
import { openMigratedDatabase, type Database } from '../../db';
import { startDevMailbox, type DevMailbox } from '../../scripts/lib/devMailbox';

/**
 * Issue 17, item 4: only a refusal of that recipient (550/551/553 on RCPT TO) is permanent. A
 * wrong SMTP password, a relay that will not take the mail, a server away: an outage of the
 * whole partnership's mail, retried, and counted on `jco_mail_outage_total` for an alert,
 * never "notification failed" and an escalation. Against the real dev SMTP server.
 */
let mailbox: DevMailbox;
let database: Database;
const counted: { name: string; value: number; tags: Record<string, unknown> }[] = [];
const meter = {
  createCounter: (name: string) => ({ add: (value: number, tags: Record<string, unknown> = {}) => counted.push({ name, value, tags }), withTags: () => undefined }),
} as unknown as MetricMeter;

beforeAll(async () => {
  mailbox = await startDevMailbox({ requireAuth: { user: 'jco', pass: 'right-password' }, rejectRecipients: ['commissioner@nenc-icb.example'], relayDomains: ['nenc-icb.example', 'council.example'] });
  database = await openMigratedDatabase({ url: 'sqlite::memory:', dataDir: '' });
});

afterAll(async () => {
  await mailbox?.close();
  await database?.close();
});

let seq = 0;
/** Sends one task email through `smtp` to a person of the bundled partnership; the failure it ends in, if any. */
async function send(smtp: string, to: string, partnership = loadPartnership()): Promise<ApplicationFailure | Error | undefined> {
  const activities = createActivities({
    partnership,
    delegations: async () => [],
    mailer: nodemailer.createTransport(smtp),
    links: createLinkSigner('unit-test-signing-key-0123456789abcdef'),
    database,
    publicBaseUrl: 'http://localhost:3000',
    mailFrom: 'Joint Commissioning <jco@council.example>',
  });
  const input: TaskEmailInput = {
    task: { id: 'jc-abcdefghij.c12345678.lead', title: 'Agree the lead partner', dueAt: '2027-01-12T17:00:00.000Z', options: ['approve', 'reject'], subjectTitle: 'Short breaks' },
    to,
    purpose: 'request',
    seq: ++seq,
    linkExpiresAt: '2027-02-12T17:00:00.000Z',
  };
  try {
    await new MockActivityEnvironment(undefined, { metricMeter: meter }).run(activities.sendTaskEmail, input);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

const at = (user: string, pass: string): string => `smtp://${user}:${pass}@127.0.0.1:${mailbox.port}`;
const outages = (): Record<string, unknown>[] => counted.filter((c) => c.name === 'jco_mail_outage_total').map((c) => c.tags);

beforeEach(() => {
  counted.length = 0;
});

test('a recipient the server refuses (550 on RCPT TO) is permanent: that person is unreachable', async () => {
  const err = await send(at('jco', 'right-password'), 'nenc-commissioner');
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect({ type: (err as ApplicationFailure).type, nonRetryable: (err as ApplicationFailure).nonRetryable }).toEqual({ type: 'MailRejected', nonRetryable: true });
  expect(outages()).toEqual([]);
});

test('a wrong SMTP password (535) is an outage: retried, and counted for the alert', async () => {
  const err = await send(at('jco', 'wrong-password'), 'nenc-senior-manager');
  expect({ type: (err as ApplicationFailure).type, nonRetryable: (err as ApplicationFailure).nonRetryable }).toEqual({ type: 'MailOutage', nonRetryable: false });
  expect(outages()).toEqual([expect.objectContaining({ reason: 'authentication' })]);
});

test('sending without signing in where the relay requires it (530) is an outage', async () => {
  const err = await send(`smtp://127.0.0.1:${mailbox.port}`, 'nenc-senior-manager');
  expect({ type: (err as ApplicationFailure).type, nonRetryable: (err as ApplicationFailure).nonRetryable }).toEqual({ type: 'MailOutage', nonRetryable: false });
  expect(outages()).toEqual([expect.objectContaining({ reason: 'authentication' })]);
});

test('a relay that will not take mail for a domain (550 5.7.54 on RCPT TO) is an outage, not a refusal of that person', async () => {
  const err = await send(at('jco', 'right-password'), 'lsc-commissioner');
  expect({ type: (err as ApplicationFailure).type, nonRetryable: (err as ApplicationFailure).nonRetryable }).toEqual({ type: 'MailOutage', nonRetryable: false });
  expect(outages()).toEqual([expect.objectContaining({ reason: 'relay' })]);
});

test('a mail server that cannot be reached is an outage', async () => {
  const closed = await startDevMailbox();
  await closed.close();
  const err = await send(`smtp://127.0.0.1:${closed.port}`, 'nenc-senior-manager');
  expect({ type: (err as ApplicationFailure).type, nonRetryable: (err as ApplicationFailure).nonRetryable }).toEqual({ type: 'MailOutage', nonRetryable: false });
  expect(outages()).toEqual([expect.objectContaining({ reason: 'connection' })]);
});

test('signed in, to a recipient it takes, the email is delivered', async () => {
  const before = mailbox.messages.length;
  expect(await send(at('jco', 'right-password'), 'nenc-senior-manager')).toBeUndefined();
  expect(mailbox.messages.length).toBe(before + 1);
  expect(outages()).toEqual([]);
});

test.each([
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 <a@b.example>: Recipient address rejected: User unknown' }, 'recipient-refused'],
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 551, response: '551 5.1.6 User not local' }, 'recipient-refused'],
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 553, response: '553 5.1.3 Bad recipient address syntax' }, 'recipient-refused'],
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 450, response: '450 4.2.1 Mailbox busy' }, 'recipient-deferred'],
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 554, response: '554 5.7.1 <a@b.example>: Relay access denied' }, 'outage:relay'],
  [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.7.1 Client host rejected: cannot find your hostname' }, 'outage:relay'],
  [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: '535 5.7.3 Authentication unsuccessful' }, 'outage:authentication'],
  [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 530, response: '530 5.7.57 Client not authenticated to send mail' }, 'outage:authentication'],
  [{ code: 'ETLS', command: 'CONN', response: 'self-signed certificate' }, 'outage:tls'],
  [{ code: 'ETIMEDOUT', command: 'CONN' }, 'outage:connection'],
  [{ code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: '554 5.6.0 Message rejected' }, 'outage:server'],
])('%j is %s', (err, want) => {
  const got = classifyMailError(err);
  expect(got.kind === 'outage' ? `outage:${got.reason}` : got.kind).toBe(want);
});
