import path from 'node:path';
import express, { Router } from 'express';
import { govukDist, mojDist } from './views';

/** GOV.UK and MoJ Frontend's stylesheets, scripts and images, served from the packages; this service's own small additions. */
export function assetsRouter(): Router {
  const router = Router();
  const govuk = path.join(govukDist, 'govuk');
  const day = { maxAge: '1d' };
  router.get('/govuk-frontend.min.css', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.css'), day));
  router.get('/govuk-frontend.min.js', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.js'), day));
  const moj = path.join(mojDist, 'moj');
  router.get('/moj-frontend.min.css', (_req, res) => res.sendFile(path.join(moj, 'moj-frontend.min.css'), day));
  router.get('/moj-frontend.min.js', (_req, res) => res.sendFile(path.join(moj, 'moj-frontend.min.js'), day));
  // Swagger UI for /api/v1/docs: its stylesheet and bundle only, from the package.
  const swagger = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) router.get(`/swagger-ui/${file}`, (_req, res) => res.sendFile(path.join(swagger, file), day));
  router.use('/images', express.static(path.join(govuk, 'assets', 'images'), { index: false, ...day }));
  router.use('/images', express.static(path.join(moj, 'assets', 'images'), { index: false, ...day })); // MoJ's icons (the filter's tag cross)
  router.use(express.static(path.join(__dirname, 'assets'), { index: false, ...day }));
  return router;
}
