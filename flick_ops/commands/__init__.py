"""The `flick-ops` subcommands, one module each; cli.py registers them."""
