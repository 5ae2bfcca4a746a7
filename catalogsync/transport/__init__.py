"""Transport below the gateway: the request rate limiter and the retry policy."""
