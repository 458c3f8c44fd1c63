import path from 'node:path';
import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { partnerName, personName, type Partnership } from '../domain/partnership';
import { ukDateTime } from '../activities/mail';
import { fieldSections } from './services/taskForm';

/** GOV.UK Frontend's own Nunjucks templates and macros (`govuk/components/...`), from the package. */
export const govukDist = path.resolve(path.dirname(require.resolve('govuk-frontend/dist/govuk/govuk-frontend.min.css')), '..');
/** Ministry of Justice Frontend's macros (`moj/components/...`: timeline, filter), where GOV.UK has none. */
export const mojDist = path.dirname(require.resolve('@ministryofjustice/frontend/package.json'));
const ownViews = path.join(__dirname, 'views');

/**
 * Every page is a Nunjucks template with autoescape on: a value from a request, a workflow or the
 * partnership file is escaped where it is shown, so no page is assembled from strings in code.
 */
export function viewEnvironment(partnership: Partnership): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([ownViews, govukDist, mojDist]), { autoescape: true, throwOnUndefined: false });
  env.addGlobal('serviceName', partnership.partnership.name);
  env.addFilter('ukDateTime', (iso: unknown) => (typeof iso === 'string' && iso ? ukDateTime(iso) : ''));
  env.addFilter('ukDate', (iso: unknown) =>
    typeof iso === 'string' && iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) : '',
  );
  env.addFilter('shortDate', (iso: unknown) =>
    typeof iso === 'string' && iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' }) : '',
  );
  env.addFilter('partnerName', (id: unknown) => (typeof id === 'string' ? partnerName(partnership, id) : ''));
  env.addFilter('personName', (id: unknown) => (typeof id === 'string' ? personName(partnership, id) : ''));
  // MoJ Frontend's timeline formats its dates with this filter: UK dates and times here.
  env.addFilter('mojDate', (iso: unknown, type: unknown) => (typeof iso !== 'string' || !iso ? '' : type === 'date' ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) : ukDateTime(iso)));
  env.addFilter('sectionsOf', fieldSections);
  env.addFilter('capitalise', (s: unknown) => (typeof s === 'string' && s ? s[0]!.toUpperCase() + s.slice(1) : ''));
  return env;
}

/** Lets `res.render('links/decide', …)` use the environment; the `.njk` extension is implied. */
export function useViews(app: Express, env: nunjucks.Environment): void {
  env.express(app);
  app.set('view engine', 'njk');
}
