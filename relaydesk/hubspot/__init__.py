"""Everything that knows HubSpot: the client, tokens, rate limit, signatures, connecting."""
