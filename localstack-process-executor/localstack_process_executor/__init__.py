"""LocalStack Lambda runtime executor that runs Node.js functions as host processes (no Docker)."""

__version__ = "0.1.0"
