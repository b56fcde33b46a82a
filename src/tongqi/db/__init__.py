"""Database backends: Django's own, with what the platform adds to them."""
