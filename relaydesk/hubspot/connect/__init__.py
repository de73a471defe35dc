"""Connecting an organization to HubSpot: the connection row, the OAuth and private-app flows,
the custom channel, the app's project files and webhooks, and the demo's sandbox connection."""
