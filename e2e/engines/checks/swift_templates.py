#!/usr/bin/env python3
"""Every template name the kit lists for ms-swift is one the installed ms-swift registers.

usage: swift_templates.py '<JSON list of names>'

ms-swift fills swift.template.TEMPLATE_MAPPING (swift/template/register.py) when swift.template
is imported; `--template` must be one of its keys. Prints one JSON line.
"""
import json
import sys

from swift.template import TEMPLATE_MAPPING
from swift.version import __version__


def main(names_json):
    names = json.loads(names_json)
    missing = [n for n in names if n not in TEMPLATE_MAPPING]
    print(json.dumps({"version": __version__, "registered": len(TEMPLATE_MAPPING), "missing": missing}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
