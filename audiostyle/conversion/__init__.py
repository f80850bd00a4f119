"""Built-in backends of the conversion front end (see :mod:`audiostyle.contracts.conversion`)."""
