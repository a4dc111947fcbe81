"""One module per ``activeq`` subcommand; each defines ``register(subparsers)``."""
