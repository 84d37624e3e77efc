"""Knowledge base: the legal texts, the editors' guidance, and retrieval over both."""
