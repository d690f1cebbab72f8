"""The executor of each backend: the only module that knows both the local and the Azure one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.core.errors import UserInputError

if TYPE_CHECKING:
    from desktop_app.core.azure.session import SecretProvider
    from desktop_app.core.request import Executor


def executor_for(
    backend_name: str,
    *,
    isolate: bool = True,
    secret_of: SecretProvider | None = None,
    retry_deadline: float | None = None,
) -> Executor:
    """The executor for a backend name; `isolate=False` (the CLI) simulates and translates in this
    process, `isolate=True` (the window) in a simulator worker process (core.local.executor);
    either talks to Azure from the Azure worker process (core.azure.process);
    `secret_of` hands an Azure run its profile's secret (default: the OS keyring);
    `retry_deadline` bounds the retries of a failing Azure call (default: PollSchedule's)."""
    from desktop_app.core.catalog import find_backend, target_name

    if target_name(backend_name).is_local:  # the ideal simulator and the offline emulations
        find_backend(backend_name)  # UserInputError naming the known backends
        from desktop_app.core.local.executor import LocalSimulatorExecutor

        return LocalSimulatorExecutor(isolate=isolate)
    try:
        find_backend(backend_name)  # UserInputError naming the known backends
    except UserInputError:
        # A target the workspace lists beyond the built-in ones: Azure, if we can translate for it.
        from desktop_app.core.azure.translate import PROVIDERS

        if target_name(backend_name).provider_id not in PROVIDERS:
            raise
    schedule = None
    if retry_deadline is not None:
        from desktop_app.core.azure.polling import PollSchedule

        schedule = PollSchedule(retry_deadline=float(retry_deadline))
    # The SDK runs in the Azure worker process: in the window never on a thread of its process;
    # on the command line it starts, imports the SDK and signs in on the other core while this
    # process reads and translates the program (issue 16).
    from desktop_app.core.azure.process import AzureProcessExecutor
    from desktop_app.core.jobs.program_calls import translate_in_process, translate_in_worker

    executor = AzureProcessExecutor(schedule=schedule, secret_of=secret_of)
    # the window: in a simulator worker (qiskit warm there, never in the window's process)
    executor.translator = translate_in_worker if isolate else translate_in_process
    return executor
