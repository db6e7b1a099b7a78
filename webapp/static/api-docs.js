/* The API documentation page (/api/docs): the vendored Swagger UI renders /api/v1/openapi.json.
 * No inline script: the page names the description's URL in data-spec-url. */
(function () {
  "use strict";
  var node = document.getElementById("api-docs");
  if (!node || typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    domNode: node,
    layout: "BaseLayout",
    deepLinking: false,  // its links sit inside the operation buttons: nested controls a screen reader cannot reach
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayOperationId: false,
    validatorUrl: null  // never send the description to an outside validator
  });
}());
