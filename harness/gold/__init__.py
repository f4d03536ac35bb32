"""Gold: loading, schemas and the validator."""
