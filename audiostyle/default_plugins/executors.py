"""Built-in executors: where many jobs run (``audiostyle batch``, bench grids)."""

from audiostyle.executors.options import LocalOptions, RayOptions
from audiostyle.hookspecs import hookimpl


@hookimpl
def register_executors(register):
    register(
        "local",
        "audiostyle.executors.local:LocalExecutor",
        options=LocalOptions,
        description="a pool of worker processes on this machine (default)",
    )
    register(
        "ray",
        "audiostyle.executors.ray_executor:RayExecutor",
        options=RayOptions,
        description='Ray: --address, RAY_ADDRESS, a "ray start" cluster or a local instance; '
        'inputs shipped when there is no shared disk; pip install -e ".[ray]"',
    )
