"""The policy: what policy.toml promises, its calendar and its deadlines."""
