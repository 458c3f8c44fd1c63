import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { simpleParser } from 'mailparser';
import { esc, page } from './pages';

/** The local dev mailbox (embedded default only): what the SMTP receiver saved under var/mail. */
export function devMailRouter(dir: string): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).sort().reverse();
    const rows = await Promise.all(
      names.slice(0, 200).map(async (name) => {
        const mail = await simpleParser(await readFile(path.join(dir, name)));
        const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text ?? '';
        return `<tr><td>${esc(mail.date?.toISOString() ?? '')}</td><td>${esc(to)}</td><td><a href="/dev/mail/${encodeURIComponent(name)}">${esc(mail.subject ?? '(no subject)')}</a></td></tr>`;
      }),
    );
    res.type('html').send(
      page(
        'Dev mailbox',
        `<p>Mail the system sent, newest first (${names.length}). Saved as .eml files in ${esc(dir)}.</p>
<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows.join('')}</table>`,
      ),
    );
  });

  router.get('/:name', async (req, res) => {
    const name = path.basename(req.params.name);
    if (!name.endsWith('.eml')) return void res.status(404).type('html').send(page('Not found', '<p>No such message.</p>'));
    const raw = await readFile(path.join(dir, name)).catch(() => undefined);
    if (!raw) return void res.status(404).type('html').send(page('Not found', '<p>No such message.</p>'));
    const mail = await simpleParser(raw);
    const text = esc(mail.text ?? '').replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>');
    res.type('html').send(
      page(
        mail.subject ?? '(no subject)',
        `<p><a href="/dev/mail">Back to the mailbox</a></p><dl><dt>To</dt><dd>${esc(
          Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text ?? '',
        )}</dd><dt>Message-ID</dt><dd>${esc(mail.messageId ?? '')}</dd></dl><pre style="white-space:pre-wrap">${text}</pre>`,
      ),
    );
  });

  return router;
}
