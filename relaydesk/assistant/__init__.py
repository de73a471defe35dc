"""The AI: the Brain protocol, the embedded retrieval brain, and the job that replies."""
