"""Built-in backends, registered exactly as a third-party plugin would register them."""
