import path from 'node:path';
import express, { Router } from 'express';
import { govukDist } from './views';

/** GOV.UK Frontend's stylesheet, script and images, served from the package; this service's own small additions. */
export function assetsRouter(): Router {
  const router = Router();
  const govuk = path.join(govukDist, 'govuk');
  const day = { maxAge: '1d' };
  router.get('/govuk-frontend.min.css', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.css'), day));
  router.get('/govuk-frontend.min.js', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.js'), day));
  router.use('/images', express.static(path.join(govuk, 'assets', 'images'), { index: false, ...day }));
  router.use(express.static(path.join(__dirname, 'assets'), { index: false, ...day }));
  return router;
}
