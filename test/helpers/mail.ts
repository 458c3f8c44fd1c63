import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Each message the test mailbox received, parsed once. The tests poll the mailbox every 100 ms
 * until a message arrives; parsing every message again at each poll grew with the mailbox (a
 * dispute's reminders are dozens) and, under a loaded suite, slowed the very waits it served.
 */
const parsed = new WeakMap<Buffer, Promise<ParsedMail>>();

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  let mail = parsed.get(raw);
  if (!mail) {
    mail = simpleParser(raw);
    parsed.set(raw, mail);
  }
  return mail;
}

/** Every message received so far, parsed (each once). */
export const parseAll = (messages: Buffer[]): Promise<ParsedMail[]> => Promise.all(messages.map(parseMail));
