"""Root conftest: the shared fixtures live in the package so every app's tests can use them."""

pytest_plugins = ["tongqi.testing.fixtures"]
