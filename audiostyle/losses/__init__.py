"""Loss terms: content, Gram style, and any a plugin adds."""
