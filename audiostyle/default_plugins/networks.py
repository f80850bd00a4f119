"""Built-in feature networks."""

from audiostyle.hookspecs import hookimpl
from audiostyle.networks.options import RandomCNNOptions


@hookimpl
def register_networks(register):
    register(
        "random-cnn",
        "audiostyle.networks.random_cnn:RandomCNN",
        options=RandomCNNOptions,
        description="one random Conv1d over time, bins as channels (Ulyanov & Lebedev 2016)",
    )
