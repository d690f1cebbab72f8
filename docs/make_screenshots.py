"""Make the README's screenshots from the real app, run against the loopback Azure emulator.

Run from the repository root:  .venv/bin/python docs/make_screenshots.py

It re-executes itself under Xvfb (a real X server, so fonts and window painting are the real
thing) and a private D-Bus session with a throw-away gnome-keyring, with every Quantum Desk and
XDG directory in a temporary folder: nothing of the user's profiles, keyring or settings is read
or written. Then it starts `python -m tests.azure_emulator` (Azure + Azurite on 127.0.0.1), adds a
service-principal profile "lab" with the CLI, starts the app and drives it with QTimers:
select "lab", wait for the live target status, tick four backends, run Bell, save
docs/screenshot.png; open the Jobs tab, save docs/screenshot-jobs.png; open Azure > Credentials…
and save docs/screenshot-credentials.png.

Then, for each screen of SCREEN_SIZES (a lab's 1024x768 and 1366x768 monitors) and each colour
scheme (light, dark: QUANTUM_DESK_COLOR_SCHEME, which ui.appearance reads as the OS's answer), a
fresh Xvfb of that size: the app starts as a new user would (first-run welcome, window sized from
the screen), the welcome is closed, Bell runs on the local simulator, and the whole screen is
taken with ImageMagick's `import -window root` into docs/screenshot-<W>x<H>[-dark].png; at
1366x768 the Jobs tab too, into docs/screenshot-jobs-1366x768[-dark].png.

`--screens` makes only the per-screen shots.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WIDTH, HEIGHT = 1400, 900
PROFILE = "lab"
BACKENDS = ["local.simulator", "ionq.simulator", "rigetti.sim.qvm", "quantinuum.sim.h2-1e"]
IDEAL = BACKENDS[:3]  # noiseless simulators
INNER_FLAG = "--inner"
SCREEN_SIZES = [(1024, 768), (1366, 768)]
SCREEN_ENV = "QD_SCREENSHOT_SCREEN"  # "WxH": the inner run takes one whole-screen shot
SCHEME_ENV = "QUANTUM_DESK_COLOR_SCHEME"  # read by desktop_app.ui.appearance
SCHEMES = ("light", "dark")
JOBS_SCREEN = "1366x768"  # the per-screen run that also shows the Jobs tab
KEYRING_PASSWORD = "screenshots"  # unlocks a throw-away keyring in a temporary folder
STEP_TIMEOUT_S = 180.0
MAX_PNG_BYTES = 300_000


def say(text: str) -> None:
    sys.stderr.write(f"make_screenshots: {text}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- outer: X, D-Bus, keyring, dirs
def reexec_isolated(screen: tuple[int, int] | None = None, scheme: str = "light") -> int:
    width, height = screen or (WIDTH, HEIGHT)
    for tool in ("xvfb-run", "dbus-run-session", "gnome-keyring-daemon", "import"):
        if shutil.which(tool) is None:
            say(f"{tool} is not installed (see docs/architecture.md / environment notes)")
            return 2
    with tempfile.TemporaryDirectory(prefix="qd-shots-") as tmp:
        base = Path(tmp)
        env = dict(os.environ)
        for var, sub in (
            ("HOME", "home"),
            ("XDG_CONFIG_HOME", "xdg/config"),
            ("XDG_DATA_HOME", "xdg/data"),
            ("XDG_CACHE_HOME", "xdg/cache"),
            ("XDG_STATE_HOME", "xdg/state"),
            ("XDG_RUNTIME_DIR", "xdg/runtime"),
            ("QUANTUM_DESK_CONFIG_DIR", "qd/config"),
            ("QUANTUM_DESK_DATA_DIR", "qd/data"),
            ("QUANTUM_DESK_CACHE_DIR", "qd/cache"),
            ("QUANTUM_DESK_LOG_DIR", "qd/log"),
            ("QUANTUM_DESK_STATE_DIR", "qd/state"),
        ):
            path = base / sub
            path.mkdir(parents=True, exist_ok=True)
            env[var] = str(path)
        os.chmod(env["XDG_RUNTIME_DIR"], 0o700)
        env["QT_QPA_PLATFORM"] = "xcb"
        env["QDK_PYTHON_TELEMETRY"] = "none"
        env.pop(SCREEN_ENV, None)
        env[SCHEME_ENV] = scheme
        if screen is not None:
            env[SCREEN_ENV] = f"{width}x{height}"
        env["LANG"] = env["LC_ALL"] = "C.UTF-8"
        for var in list(env):  # no real Azure identity may leak into the app
            if var.startswith("AZURE_") or var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY"):
                del env[var]
        inner = " ".join(
            [
                f"echo -n {KEYRING_PASSWORD} | gnome-keyring-daemon --unlock "
                "--components=secrets --daemonize >/dev/null &&",
                f'exec "{sys.executable}" "{Path(__file__).resolve()}" {INNER_FLAG}',
            ]
        )
        command = [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {width}x{height}x24",
            "dbus-run-session",
            "--",
            "sh",
            "-c",
            inner,
        ]
        return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


# ---------------------------------------------------------------- inner: emulator + profile
def emulator_log() -> Path:
    return Path(os.environ["QUANTUM_DESK_LOG_DIR"]) / "azure-emulator.log"


def start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    # The emulator logs every request (and Azurite's SDK calls) at INFO: keep that in a file,
    # shown only when something goes wrong.
    with emulator_log().open("w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.azure_emulator"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        tail = emulator_log().read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"the Azure emulator did not start (exit {proc.returncode}):\n{tail}")
    info = json.loads(line)
    say(f"emulator up: ARM {info['arm_endpoint']}")
    return proc, info


def stop_emulator(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        say("the emulator did not stop on SIGTERM: killing it")
        proc.kill()
        proc.wait(5)


def add_profile(info: dict[str, str]) -> None:
    command = [
        sys.executable,
        "-m",
        "desktop_app",
        "profile",
        "add",
        PROFILE,
        "--resource-id",
        info["resource_id"],
        "--location",
        info["location"],
        "--tenant-id",
        info["tenant_id"],
        "--client-id",
        info["client_id"],
        "--authority",
        info["authority"],
        "--arm-endpoint",
        info["arm_endpoint"],
        "--allow-custom-endpoints",  # the loopback emulator
        "--secret-stdin",
        "--replace",
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        input=info["client_secret"] + "\n",
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"profile add failed ({done.returncode}): {done.stderr.strip()}")
    say(f"profile: {done.stdout.strip()}")


# ---------------------------------------------------------------- inner: drive the app
class Driver:
    """A chain of steps on QTimers; each waits for a condition with a deadline."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.app = app
        self.failure: str | None = None
        self.questions: list[str] = []

    def wait_for(
        self, what: str, ready: Callable[[], bool], then: Callable[[], None], poll_ms: int = 200
    ) -> None:
        from PySide6.QtCore import QTimer

        deadline = time.monotonic() + STEP_TIMEOUT_S

        def check() -> None:
            try:
                if ready():
                    say(f"ready: {what}")
                    then()
                    return
            except Exception as exc:  # a failed step must end the app, not hang it
                self.fail(f"{what}: {exc!r}")
                return
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
                return
            QTimer.singleShot(poll_ms, check)

        QTimer.singleShot(poll_ms, check)

    def fail(self, text: str) -> None:
        say(f"FAILED: {text}")
        self.failure = text
        for widget in self.app.topLevelWidgets():
            widget.close()
        self.app.exit(1)


def save_png(pixmap: object, path: Path) -> None:
    from PySide6.QtGui import QPixmap

    assert isinstance(pixmap, QPixmap)
    tmp = path.with_suffix(".tmp.png")
    if not pixmap.save(str(tmp), "PNG", 0):  # quality 0 = strongest zlib compression
        raise OSError(f"could not write {tmp}")
    os.replace(tmp, path)
    size = path.stat().st_size
    say(f"saved {path.relative_to(ROOT)} ({pixmap.width()}x{pixmap.height()}, {size:,} bytes)")
    if size > MAX_PNG_BYTES:
        say(f"WARNING: {path.name} is over {MAX_PNG_BYTES:,} bytes")


def drive(driver: Driver) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from desktop_app.ui import messages
    from desktop_app.ui.main_window import MainWindow

    app = driver.app

    def ask(parent: QWidget | None, title: str, question: str) -> bool:
        driver.questions.append(f"{title}: {question}")
        say(f"answered yes to: {title!r}: {question!r}")
        return True

    def ask_to_spend(parent: QWidget | None, question: messages.SpendQuestion) -> object:
        driver.questions.append(f"{question.title}: {question.text}")
        say(f"answered 'Run and pay' (the emulator bills nothing) to: {question.text!r}")
        return messages.SpendAnswer("run")

    messages.ask = ask  # the app's question seams (ui.messages): answer the confirmations
    messages.ask_to_spend = ask_to_spend  # type: ignore[assignment]
    close_notes(app)

    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    window.resize(WIDTH, HEIGHT)
    window.move(0, 0)

    def grab_window() -> object:
        return app.primaryScreen().grabWindow(window.winId())

    def step_select_profile() -> None:
        window.profile_selector.select(PROFILE)
        driver.wait_for("live target status", status_ready, step_tick)

    def status_ready() -> bool:
        snapshot = window.azure.refresher.snapshot
        if snapshot is None or not snapshot.targets:
            return False
        model = window.backend_model
        rows = {r.backend.name: r for r in model.rows()}
        return all(
            (window.azure.estimate(name) is not None) for name in BACKENDS[1:] if name in rows
        )

    def step_tick() -> None:
        for name in BACKENDS:
            window.backend_model.set_checked(name, True)
        missing = set(BACKENDS) - set(window.backend_model.checked_backends())
        if missing:
            driver.fail(f"could not tick {sorted(missing)}")
            return
        window.executor.runFinished.connect(on_run_finished)
        QTimer.singleShot(300, window.run)

    def on_run_finished() -> None:
        window.executor.runFinished.disconnect(on_run_finished)
        failed = [p.backend for p in window.results_view.panels() if p.result is None]
        if failed:
            statuses = {p.backend: p.status.text() for p in window.results_view.panels()}
            driver.fail(f"no result on {failed}: {statuses}")
            return
        for panel in window.results_view.panels():
            assert panel.result is not None
            counts = dict(panel.result.counts or panel.result.probabilities)
            say(f"{panel.backend}: {counts}")
            # Bell: ideal simulators give only 00 and 11; the noisy h2-1e mostly those
            bell = sum(v for k, v in counts.items() if k in ("00", "11"))
            if not counts or bell < 0.9 * sum(counts.values()):
                driver.fail(f"{panel.backend}: not a Bell histogram: {counts}")
                return
            if panel.backend in IDEAL and set(counts) - {"00", "11"}:
                driver.fail(f"{panel.backend}: an ideal simulator gave {counts}")
                return
        window.results_view.horizontalScrollBar().setValue(0)
        QTimer.singleShot(800, shoot_main)

    def shoot_main() -> None:
        save_png(grab_window(), DOCS / "screenshot.png")
        window.show_jobs_action.trigger()  # View > Jobs
        driver.wait_for("jobs listed", jobs_ready, lambda: QTimer.singleShot(500, shoot_jobs))

    def jobs_ready() -> bool:
        view = window.jobs_view
        return view is not None and view.table.model().rowCount() >= len(BACKENDS)

    def shoot_jobs() -> None:
        save_png(grab_window(), DOCS / "screenshot-jobs.png")
        window.tabs.setCurrentWidget(window.results_view)
        window.credentials_action.trigger()
        QTimer.singleShot(1200, shoot_credentials)

    def shoot_credentials() -> None:
        dialog = window.credentials_dialog
        if dialog is None or not dialog.isVisible():
            driver.fail("the Credentials dialog did not open")
            return
        if dialog.editing != PROFILE:
            driver.fail(f"the Credentials dialog shows {dialog.editing!r}, not {PROFILE!r}")
            return
        if dialog.form.secret_input.text():
            driver.fail("the Credentials dialog shows a secret in the secret field")
            return
        save_png(dialog.grab(), DOCS / "screenshot-credentials.png")
        dialog.reject()
        QTimer.singleShot(300, window.close)

    # after_first_paint (150 ms) attaches the ledger and the Jobs tab; wait for it
    driver.wait_for(
        "window and job ledger",
        lambda: window.isVisible() and window.jobs_view is not None,
        step_select_profile,
    )


def close_notes(app: object) -> None:
    """Close the first-run welcome (a non-modal message box) once it is up."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    assert isinstance(app, QApplication)

    def close() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                say(f"closing the {widget.windowTitle()!r} note")
                widget.close()

    for delay in (600, 1500, 3000):
        QTimer.singleShot(delay, close)


def drive_screen(driver: Driver, screen: str) -> None:
    """A new user's first start on a `screen` ("WxH") monitor: one whole-screen shot."""
    from PySide6.QtCore import QTimer

    from desktop_app.ui.main_window import MainWindow

    app = driver.app
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    suffix = "-dark" if os.environ.get(SCHEME_ENV) == "dark" else ""
    path = DOCS / f"screenshot-{screen}{suffix}.png"

    def run() -> None:
        close_notes(app)
        window.executor.runFinished.connect(lambda: QTimer.singleShot(4000, shoot))
        QTimer.singleShot(1000, window.run)

    def shoot() -> None:
        available = window.screen().availableGeometry()
        frame = window.frameGeometry()
        say(
            f"screen {available.width()}x{available.height()}, window {frame.width()}x"
            f"{frame.height()} at {frame.x()},{frame.y()}"
        )
        if not available.contains(window.geometry()):
            driver.fail(f"the window does not fit the {screen} screen: {frame}")
            return
        take(path)
        if screen != JOBS_SCREEN:
            QTimer.singleShot(300, window.close)
            return
        window.show_jobs_action.trigger()
        driver.wait_for(
            "jobs listed",
            lambda: window.jobs_view is not None and window.jobs_view.model.total() >= 1,
            lambda: QTimer.singleShot(800, shoot_jobs),
        )

    def shoot_jobs() -> None:
        take(DOCS / f"screenshot-jobs-{screen}{suffix}.png")
        QTimer.singleShot(300, window.close)

    def take(target: Path) -> None:
        subprocess.run(["import", "-window", "root", str(target)], check=True)
        say(f"saved {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")

    driver.wait_for(
        "window and job ledger",
        lambda: window.isVisible() and window.jobs_view is not None,
        run,
    )


def run_app() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import main as app_main

    QApplication(sys.argv[:1])
    driver = Driver()
    screen = os.environ.get(SCREEN_ENV)
    QTimer.singleShot(0, lambda: drive_screen(driver, screen) if screen else drive(driver))
    code = app_main([])
    if driver.failure:
        return 1
    return code


def inner() -> int:
    if os.environ.get(SCREEN_ENV):  # local simulator only: what a new user sees first
        return run_app()
    proc, info = start_emulator()
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = info["ca_bundle"]
        add_profile(info)
        code = run_app()
        if code != 0:
            say("the emulator's log (last lines):")
            sys.stderr.write(emulator_log().read_text(encoding="utf-8")[-3000:])
        return code
    finally:
        stop_emulator(proc)


if __name__ == "__main__":
    if INNER_FLAG in sys.argv[1:]:
        sys.path.insert(0, str(ROOT))
        sys.exit(inner())
    only_screens = "--screens" in sys.argv[1:]
    code = 0 if only_screens else reexec_isolated()
    for size in SCREEN_SIZES:
        for scheme in SCHEMES:
            code = code or reexec_isolated(size, scheme)
    sys.exit(code)
