export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const ukDateTime = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short' });

/** A plain, accessible page; no scripts, nothing fetched from elsewhere. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,Arial,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#0b0c0c}
h1{font-size:1.6rem}dt{font-weight:bold}dd{margin:0 0 .6rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin:.3rem .5rem .3rem 0;cursor:pointer}
textarea{width:100%;min-height:6rem;font:inherit}.note{background:#f3f2f1;padding:.8rem 1rem;border-left:5px solid #1d70b8}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>`;
}
