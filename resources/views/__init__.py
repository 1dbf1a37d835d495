"""Resource endpoints (§3), one module per sub-domain: users, keys, repositories."""
