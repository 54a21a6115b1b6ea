"""Routes, one module per area; each translates HTTP to a service call and back."""
