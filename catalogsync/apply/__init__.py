"""Apply: execute a plan against Stripe, level by level, rate-limited and retried."""
