"""The organization's knowledge base: documents, chunks and the retrieval index."""
