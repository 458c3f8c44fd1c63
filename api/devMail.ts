import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { simpleParser } from 'mailparser';
import { pageSecurityHeaders } from '../web/middleware/securityHeaders';

const recipients = (to: unknown): string =>
  (Array.isArray(to) ? to : to ? [to] : []).map((a: { text?: string }) => a.text ?? '').join(', ');

/** A mail's text in parts, each link its own part, so the template escapes every part and links the links. */
function textParts(text: string): { text: string; href?: string }[] {
  return text.split(/(https?:\/\/[^\s<]+)/g).filter(Boolean).map((part) => (/^https?:\/\//.test(part) ? { text: part, href: part } : { text: part }));
}

/** The local dev mailbox (embedded default only): what the SMTP receiver saved under var/mail. */
export function devMailRouter(dir: string): Router {
  const router = Router();
  router.use(pageSecurityHeaders);

  router.get('/', async (_req, res) => {
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).sort().reverse();
    const messages = await Promise.all(
      names.slice(0, 200).map(async (file) => {
        const mail = await simpleParser(await readFile(path.join(dir, file)));
        return { file, date: mail.date?.toISOString() ?? '', to: recipients(mail.to), subject: mail.subject ?? '(no subject)' };
      }),
    );
    res.render('dev/mailbox', { title: 'Dev mailbox', count: names.length, dir, messages });
  });

  router.get('/:name', async (req, res) => {
    const name = path.basename(req.params.name);
    const raw = name.endsWith('.eml') ? await readFile(path.join(dir, name)).catch(() => undefined) : undefined;
    if (!raw) return void res.status(404).render('message', { title: 'Not found', inset: 'No such message.' });
    const mail = await simpleParser(raw);
    res.render('dev/message', { title: mail.subject ?? '(no subject)', to: recipients(mail.to), messageId: mail.messageId ?? '', parts: textParts(mail.text ?? '') });
  });

  return router;
}
