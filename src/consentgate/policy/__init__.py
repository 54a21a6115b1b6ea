"""Policy: rules with stable ids, one precedence rule, YAML loading and validation."""
