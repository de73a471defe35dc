"""relaydesk: an AI chat widget for any website that hands conversations over to HubSpot."""

__version__ = "0.1.0"
