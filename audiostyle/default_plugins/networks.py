"""Built-in feature networks."""

from audiostyle.hookspecs import hookimpl
from audiostyle.networks.options import (
    DeepCNNOptions,
    MultiScaleOptions,
    RandomCNN2dOptions,
    RandomCNNOptions,
    SeedCNNOptions,
)


@hookimpl
def register_networks(register):
    register(
        "random-cnn",
        "audiostyle.networks.random_cnn:RandomCNN",
        options=RandomCNNOptions,
        description="one random Conv1d over time, bins as channels (Ulyanov & Lebedev 2016)",
    )
    register(
        "seed-cnn",
        "audiostyle.networks.seed_cnn:SeedCNN",
        options=SeedCNNOptions,
        description="Conv1d k3 -> ReLU -> Conv1d k3, style and content at layer 2 (seed blog 2020)",
    )
    register(
        "random-cnn-2d",
        "audiostyle.networks.random_cnn_2d:RandomCNN2d",
        options=RandomCNN2dOptions,
        description="random Conv2d 3x1 over (freq, time), LeakyReLU, Gram over time "
        "(randomCNN voice transfer 2018)",
    )
    register(
        "multiscale",
        "audiostyle.networks.multiscale:MultiScaleCNN",
        options=MultiScaleOptions,
        description="parallel random Conv1d of several widths, one Gram loss each "
        "(after Antognini et al. 2019)",
    )
    register(
        "deep-cnn",
        "audiostyle.networks.deep_cnn:DeepCNN",
        options=DeepCNNOptions,
        description="a stack of dilated random Conv1d layers, style from every layer",
    )
