"""What HubSpot sends relaydesk: webhook deliveries parsed, stored once and handled — rep replies,
assignments, thread and ticket changes, privacy deletions — and reports of a reply's delivery."""
