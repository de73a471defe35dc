"""Talking to HubSpot's HTTP APIs: transport, portal and app clients, tokens, errors, shapes."""
