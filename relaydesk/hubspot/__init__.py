"""Everything that knows HubSpot, in four layers: `api` (HTTP calls, tokens, errors, shapes),
`connect` (an organization's connection, channel and app webhooks), `handoff` (a handed-off
conversation carried into HubSpot) and `inbound` (what HubSpot posts to relaydesk)."""
