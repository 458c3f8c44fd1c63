// The API document in Swagger UI (from the swagger-ui-dist package, served here): the page's
// table of operations is what shows without JavaScript.
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: false, docExpansion: 'list', defaultModelsExpandDepth: 0 });
});
