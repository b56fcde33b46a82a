"""Test support shared by every app's tests: factories, the permission matrix, helpers."""
