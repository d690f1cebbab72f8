"""``python -m tests.azure_emulator``: Azurite + the emulator until SIGINT/SIGTERM.

Prints exactly one JSON line on stdout (authority, arm_endpoint, ca_bundle, tenant_id, client_id,
client_secret, subscription_id, resource_group, workspace, resource_id, location, admin_endpoint);
logs go to stderr. Clients must trust ``ca_bundle`` (REQUESTS_CA_BUNDLE=<ca_bundle>).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from tests.azure_emulator.azurite import AzuriteMissingError
from tests.azure_emulator.server import dumps_info, start_all, stop_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.azure_emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep Azurite's data and the CA here (default: a temporary folder, removed on exit)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        emulator, azurite, root = start_all(args.workdir)
    except AzuriteMissingError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    try:
        sys.stdout.write(dumps_info(emulator.info) + "\n")
        sys.stdout.flush()
        logging.getLogger(__name__).info("Azurite pid %s at %s", azurite.pid, azurite.account_url)
        while not stop.wait(0.5):
            pass
    finally:
        stop_all(emulator, azurite, None if args.workdir else root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
