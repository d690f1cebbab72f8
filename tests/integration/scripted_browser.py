"""A scripted "browser" for the sign-in tests, started by Python's webbrowser through BROWSER:
it opens the authorize URL (trusting the emulator's CA), reads the form Entra would post and posts
it to the credential's loopback listener, as a person's browser does after they sign in.

Usage: BROWSER="python -m tests.integration.scripted_browser %s"
"""

from __future__ import annotations

import html
import re
import ssl
import sys
import urllib.parse
import urllib.request


def follow(url: str) -> int:
    context = ssl.create_default_context(cafile=_ca_bundle())
    with urllib.request.urlopen(url, context=context, timeout=20) as answer:
        page = answer.read().decode()
    action = re.search(r'action="([^"]+)"', page)
    if action is None:
        return 1
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
    }
    target = html.unescape(action.group(1))
    if urllib.parse.urlsplit(target).hostname not in ("localhost", "127.0.0.1"):
        return 1  # only ever the credential's own loopback listener
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(target, data=data, timeout=20) as answer:
        answer.read()
    return 0


def _ca_bundle() -> str | None:
    import os

    return os.environ.get("REQUESTS_CA_BUNDLE")


if __name__ == "__main__":
    sys.exit(follow(sys.argv[1]))
