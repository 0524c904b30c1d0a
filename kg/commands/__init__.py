"""The CLI's commands, one module per area; each imports heavy libraries only when run."""
