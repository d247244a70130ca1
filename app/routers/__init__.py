"""HTTP routers, one module per resource. Handlers stay thin: validate, authorize, call graph/ or export/."""
