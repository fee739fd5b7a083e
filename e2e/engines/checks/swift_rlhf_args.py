#!/usr/bin/env python3
"""The flags of a rendered `swift rlhf` argument file against the installed ms-swift's RLHFArguments.

usage: swift_rlhf_args.py <swift-rlhf-args.txt>…

`swift rlhf` parses RLHFArguments (swift/arguments/rlhf_args.py: its own fields on top of
SftArguments); an unknown flag fails there (remaining_argv). The shared contract list has only the
sft fields, so this check reads the field names from the installed dataclass itself. Prints one JSON
line: flags (how many checked), unknown (flags that are not fields).
"""
import dataclasses
import json
import sys

from swift.arguments import RLHFArguments


def main(files):
    fields = {f.name for f in dataclasses.fields(RLHFArguments)}
    flags, unknown = set(), set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("--"):
                    flags.add(line.strip()[2:])
    unknown = sorted(flags - fields)
    print(json.dumps({"flags": len(flags), "unknown": unknown}))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
