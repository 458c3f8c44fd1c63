// The API document in Swagger UI (from the swagger-ui-dist package, served here): the page's
// table of operations is what shows without JavaScript. The page has its own title, so Swagger
// UI's title block is left out; its <main> is the page's main landmark.
const withoutInfo = () => ({ components: { InfoContainer: () => null } });
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: -1,
    syntaxHighlight: { activated: false },
    plugins: [withoutInfo],
  });
});
