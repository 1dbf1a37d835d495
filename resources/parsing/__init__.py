"""Pure parsers for public keys (no Django imports)."""
