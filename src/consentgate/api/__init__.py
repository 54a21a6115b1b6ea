"""The HTTP shell: FastAPI routes that translate to and from the engine and the stores."""
