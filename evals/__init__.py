"""The AI's evaluation set: short chat messages labelled for language, requests and mood."""
