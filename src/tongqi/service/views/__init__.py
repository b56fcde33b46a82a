"""Pages of service supervision (mounted at /service/), one module per subject."""
