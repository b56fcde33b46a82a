"""TongQi (通气): the getting-gas (获得用气) service platform for city gas utilities."""

__version__ = "0.1.0"
