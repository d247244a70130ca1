// The API reference at /docs: Swagger UI (npm swagger-ui-dist, bundled by esbuild) reading this
// instance's /openapi.json. Served from the service itself under the dashboard's CSP, so it works
// without internet access; see app/routers/apidocs.py.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // No validator badge: it would call an outside service.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
