"""The ``segment`` command line: thin wrappers over the tool layer."""
