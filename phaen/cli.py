"""The `phaen` command: Phaen's management commands under friendlier names.

`phaen serve`, `phaen load-reference`, `phaen export plans --format csv`,
`phaen alignment-chain eec2-a1`; any other Django management command passes through
(`phaen migrate`, `phaen createsuperuser`). Messages are in Thai unless PHAEN_LANGUAGE=en.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "serve": "runserver",
    "load-reference": "load_reference",
    "alignment-chain": "alignment_chain",
    "demo-users": "demo_users",
}


def main(argv: list[str] | None = None) -> None:
    """Run a Phaen command."""
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    else:
        args.append("help")
    args[0] = "phaen"
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    # Messages follow PHAEN_LANGUAGE (th or en); Thai, the site's language, by default.
    language = os.environ.get("PHAEN_LANGUAGE", "").strip()
    if language:
        translation.activate(language)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
