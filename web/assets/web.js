// Enhancement only: every page works without it (GOV.UK Frontend's button, error summary, header).
import { initAll } from '/assets/govuk-frontend.min.js';
initAll();
