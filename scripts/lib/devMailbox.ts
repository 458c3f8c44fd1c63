import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface DevMailbox {
  port: number;
  url: string;
  /** Every message received, raw, in order of arrival. */
  messages: Buffer[];
  /**
   * Every message received so far, parsed, each only once: the tests poll the mailbox every
   * 100 ms, and parsing every message again at each poll grew with the mailbox (a dispute's
   * reminders are dozens) and, in a loaded suite, slowed the very waits it served.
   */
  parsed(): Promise<ParsedMail[]>;
  events: EventEmitter;
  close(): Promise<void>;
}

/**
 * A real SMTP receiver on loopback: the embedded default's mailbox and the tests' mail server.
 * Each message is saved as an .eml file when `dir` is given.
 */
export async function startDevMailbox(
  opts: {
    dir?: string;
    port?: number;
    host?: string;
    /** Answered 550, as a server refusing an unknown mailbox does. */
    rejectRecipients?: string[];
    /** Each message is accepted only after this long, as a busy relay does (an email stays on its way meanwhile). */
    acceptAfterMs?: number;
    /**
     * Sign-in required, as a council's relay does: a client that sends mail without signing in is
     * answered 530, a wrong user name or password 535.
     */
    requireAuth?: { user: string; pass: string };
    /**
     * Mail only for these domains is taken; any other recipient is answered as Exchange Online
     * refuses to relay (550 5.7.54): a 550 on RCPT TO that is about the sender's right to relay,
     * not about that recipient.
     */
    relayDomains?: string[];
  } = {},
): Promise<DevMailbox> {
  const host = opts.host ?? '127.0.0.1';
  const messages: Buffer[] = [];
  const events = new EventEmitter();
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  const auth = opts.requireAuth;
  const server = new SMTPServer({
    authOptional: !auth,
    // Loopback only: signing in without TLS is what the tests of a wrong password need.
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(attempt, _session, callback) {
      if (!auth || (attempt.username === auth.user && attempt.password === auth.pass)) return callback(null, { user: attempt.username ?? 'anyone' });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const domain = address.address.split('@').pop()!.toLowerCase();
      if (opts.relayDomains && !opts.relayDomains.includes(domain)) {
        return callback(Object.assign(new Error('5.7.54 SMTP; Unable to relay recipient in non-accepted domain'), { responseCode: 550 }));
      }
      if (opts.rejectRecipients?.includes(address.address.toLowerCase())) {
        return callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (opts.dir) {
          const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.eml`;
          writeFileSync(path.join(opts.dir, name), raw);
        }
        setTimeout(() => {
          messages.push(raw);
          events.emit('message', raw);
          callback();
        }, opts.acceptAfterMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  // A client that drops its connection (a worker killed mid-send, a pooled connection reset)
  // is that client's problem: without a listener the 'error' event would end this process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  const parsedOnce = new WeakMap<Buffer, Promise<ParsedMail>>();
  const parse = (raw: Buffer): Promise<ParsedMail> => {
    let mail = parsedOnce.get(raw);
    if (!mail) parsedOnce.set(raw, (mail = simpleParser(raw)));
    return mail;
  };
  return {
    port,
    url: `smtp://${host}:${port}`,
    messages,
    parsed: () => Promise.all(messages.map(parse)),
    events,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
