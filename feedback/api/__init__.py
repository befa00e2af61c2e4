"""REST API for our own apps at /api/v1/ (DRF, OpenAPI 3 schema at /api/schema/, Swagger UI at /api/docs/)."""
