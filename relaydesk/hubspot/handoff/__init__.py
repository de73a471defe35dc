"""A handed-off conversation carried into HubSpot: the job, its steps (contact, thread, ticket,
note), what the rep reads there, and the step markers that make each step create once."""
