"""Dependency audit for `make audit` (part of `make test`): pip-audit over the installed .venv.

Fails on any known vulnerability, and on any error of pip-audit itself. Exactly one situation is
tolerated, with a clear message: the advisory data cannot be reached from this machine — the
vulnerability service is unreachable (no network to it), or it answers for none of the packages
(a registry mirror without the per-release JSON that carries the advisories), so nothing could
be audited. Anything partially audited is judged on what was audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
UNREACHABLE = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "timed out",
)


def main() -> int:
    completed = subprocess.run(  # noqa: S603 - our venv's pip-audit, fixed arguments
        [str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        if any(marker in completed.stderr for marker in UNREACHABLE):
            print(
                "pip-audit: the vulnerability service is unreachable from this machine; "
                "the dependency audit could NOT run here (tolerated). Run `make audit` where "
                "the advisory service is reachable.",
                file=sys.stderr,
            )
            return 0
        sys.stderr.write(completed.stderr[-4000:])
        print("pip-audit failed", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {ids}", file=sys.stderr)
    if vulnerable:
        return 1
    if dependencies and not audited:
        print(
            f"pip-audit: the advisory data could not be reached for any of the "
            f"{len(dependencies)} packages (the registry here serves no per-release "
            "vulnerability data); the dependency audit could NOT run here (tolerated).",
            file=sys.stderr,
        )
        return 0
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
