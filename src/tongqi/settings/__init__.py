"""Settings package: ``tongqi.settings`` picks production or development from TONGQI_ENV."""

import os

if os.environ.get("TONGQI_ENV", "").strip().lower() == "production":
    from .production import *  # noqa: F403
else:
    from .base import *  # noqa: F403
