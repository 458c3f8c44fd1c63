import { escapeHtml, ukDateTime } from '../activities/mail';

export const esc = escapeHtml;
export { ukDateTime };

/**
 * A page in the GOV.UK Design System's style (govuk-frontend, served from /assets), the
 * convention public-sector staff know. No scripts; nothing is fetched from elsewhere. The GDS
 * Transport typeface is only licensed for GOV.UK services, so pages use Arial instead.
 */
export function page(title: string, body: string, opts: { service?: string } = {}): string {
  return `<!doctype html>
<html lang="en-GB" class="govuk-template">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)} – ${esc(opts.service ?? 'Joint commissioning')}</title>
<link rel="stylesheet" href="/assets/govuk-frontend.min.css">
<style>*{font-family:arial,sans-serif!important}</style>
</head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header" role="banner"><div class="govuk-header__container govuk-width-container">
<span class="govuk-header__link govuk-header__service-name">${esc(opts.service ?? 'Joint commissioning')}</span>
</div></header>
<div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content" role="main">
<h1 class="govuk-heading-l">${esc(title)}</h1>
${body}
</main>
</div>
</body>
</html>`;
}

/** A GOV.UK summary list of label and value pairs. */
export function summary(rows: [string, string][]): string {
  return `<dl class="govuk-summary-list">${rows
    .map(([k, v]) => `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${esc(k)}</dt><dd class="govuk-summary-list__value">${esc(v)}</dd></div>`)
    .join('')}</dl>`;
}

export const inset = (html: string): string => `<div class="govuk-inset-text">${html}</div>`;
export const para = (text: string): string => `<p class="govuk-body">${esc(text)}</p>`;
