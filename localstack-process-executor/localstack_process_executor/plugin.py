"""plux plugin registering the ``process`` runtime executor with LocalStack.

Selected with ``LAMBDA_RUNTIME_EXECUTOR=process``.
"""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class ProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "process"

    def load(self, *args, **kwargs):
        # LocalStack calls load() twice (PluginManager.load + its own call): keep it idempotent.
        from localstack_process_executor.executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor
