"""Settings for a developer's machine: `make run`."""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.boolean("DJANGO_DEBUG", True)
