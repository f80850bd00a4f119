"""Options of the built-in feature networks (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

Activation = Literal["relu", "leaky_relu", "tanh", "elu", "none"]
Init = Literal["ulyanov", "kaiming", "normal", "default"]


@dataclass(frozen=True)
class RandomCNNOptions:
    """One random Conv1d over time with the frequency bins as channels (Ulyanov 2016)."""

    n_filters: int = option(4096, "number of random filters (output channels)")
    kernel_size: int = option(11, "filter width in frames")
    activation: Activation = option("relu", "non-linearity after the convolution")
    init: Init = option(
        "ulyanov",
        "weight init: ulyanov = N(0, 2/((bins+filters)*k)) * 2, kaiming, normal = N(0, 1), "
        "default = PyTorch's",
    )
    bias: bool = option(False, "add a (random) bias")
    padding: Literal["none", "same"] = option(
        "none", "none = valid convolution, same = keep frames"
    )
    compute_dtype: Literal["float32", "bfloat16"] = option(
        "float32",
        "dtype of the convolution (maps come back as float32): bfloat16 halves memory "
        "traffic but is only faster on CPUs with bfloat16 instructions (AVX512-BF16, AMX)",
    )

    def __post_init__(self) -> None:
        if self.n_filters < 1:
            raise ParameterError(f"n_filters={self.n_filters} must be >= 1; try 4096.")
        if self.kernel_size < 1:
            raise ParameterError(f"kernel_size={self.kernel_size} must be >= 1; try 11.")


Padding = Literal["none", "same"]


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ParameterError(f"{name}={value} must be >= 1.")


def _check_kernels(name: str, sizes: tuple[int, ...], example: str) -> None:
    if not sizes:
        raise ParameterError(f"{name} is empty; give at least one width, e.g. {example}.")
    bad = [k for k in sizes if k < 1]
    if bad:
        raise ParameterError(f"{name}={','.join(map(str, sizes))}: widths must be >= 1.")


@dataclass(frozen=True)
class SeedCNNOptions:
    """The seed blog's two-layer CNN (2020): Conv1d k=3 -> ReLU -> Conv1d k=3.

    Content and style both use the second layer's output. The blog's code applies the
    second convolution to the raw input instead of to the first layer's output
    (``conv2_input="raw"`` keeps that behaviour available).
    """

    n_filters: int = option(4096, "channels of both convolutions (width)")
    kernel_size: int = option(3, "filter width in frames of both convolutions")
    activation: Activation = option("relu", "non-linearity between the two convolutions")
    init: Init = option("default", "weight init (default = PyTorch's uniform, as the blog)")
    bias: bool = option(True, "add a bias (random with init=default, else zero)")
    padding: Padding = option(
        "same", "same = keep frames (the blog pads k // 2), none = valid convolutions"
    )
    conv2_input: Literal["hidden", "raw"] = option(
        "hidden",
        "hidden = conv2(act(conv1(x))), the blog's intent; raw = conv2(x), the bug in its "
        "code: conv1 and the activation are unused and the features are linear in the "
        "spectrogram (a plain Gram of filtered log-magnitudes)",
    )

    def __post_init__(self) -> None:
        _check_positive(n_filters=self.n_filters, kernel_size=self.kernel_size)


@dataclass(frozen=True)
class RandomCNN2dOptions:
    """A random Conv2d over the spectrogram as an image (randomCNN voice transfer, 2018).

    Feature maps are (channels, freq', frames): the Gram is taken over time, of the
    (channels * freq') x frames matrix.
    """

    n_filters: int = option(32, "number of random filters (output channels)")
    kernel_freq: int = option(3, "filter height in frequency bins")
    kernel_time: int = option(1, "filter width in frames")
    activation: Activation = option("leaky_relu", "non-linearity (leaky_relu has slope 0.2)")
    init: Init = option(
        "normal", "weight init: normal = N(0, 1) as mazzzystar's code; ulyanov, kaiming, default"
    )
    bias: bool = option(True, "add a bias (random with init=default, else zero)")
    padding: Padding = option("none", "none = valid convolution, same = keep bins and frames")

    def __post_init__(self) -> None:
        _check_positive(
            n_filters=self.n_filters, kernel_freq=self.kernel_freq, kernel_time=self.kernel_time
        )


@dataclass(frozen=True)
class MultiScaleOptions:
    """Parallel random Conv1d of several widths (after Antognini, Hoffman & Weiss 2019).

    Each width is its own feature map and its own Gram (style) loss, so short and long
    patterns are matched separately.
    """

    kernel_sizes: tuple[int, ...] = option((3, 7, 15, 31), "filter widths in frames, one per scale")
    n_filters: int = option(512, "random filters per scale (width)")
    activation: Activation = option("relu", "non-linearity after each convolution")
    init: Init = option("ulyanov", "weight init (see random-cnn)")
    bias: bool = option(False, "add a bias (random with init=default, else zero)")
    padding: Padding = option("same", "same = every scale keeps the frames, none = valid")
    content_layers: Literal["all", "narrowest"] = option(
        "all", "scales the content loss compares: all, or only the narrowest"
    )

    def __post_init__(self) -> None:
        _check_positive(n_filters=self.n_filters)
        _check_kernels("kernel_sizes", self.kernel_sizes, "3,7,15,31")
        if len(set(self.kernel_sizes)) != len(self.kernel_sizes):
            raise ParameterError(
                f"kernel_sizes={','.join(map(str, self.kernel_sizes))} repeats a width; "
                "give each width once."
            )


@dataclass(frozen=True)
class DeepCNNOptions:
    """A stack of random Conv1d layers (frequency bins as channels of the first).

    With ``dilation_base`` > 1 layer i is dilated by ``dilation_base ** i``, so the
    receptive field grows exponentially with depth.
    """

    n_layers: int = option(4, "number of stacked convolutions (depth)")
    n_filters: int = option(512, "channels of every layer (width)")
    kernel_size: tuple[int, ...] = option(
        (3,), "filter width in frames: one for every layer, or one per layer"
    )
    dilation_base: int = option(2, "layer i is dilated by dilation_base**i (1 = no dilation)")
    activation: Activation = option("relu", "non-linearity after every convolution")
    init: Init = option("kaiming", "weight init (kaiming keeps the scale through depth)")
    bias: bool = option(False, "add a bias (random with init=default, else zero)")
    padding: Padding = option("same", "same = keep frames, none = valid convolutions")
    style_layers: Literal["all", "last"] = option("all", "layers whose Grams the style loss uses")
    content_layers: Literal["last", "all"] = option(
        "last", "layers whose maps the content loss uses"
    )

    def __post_init__(self) -> None:
        _check_positive(
            n_layers=self.n_layers, n_filters=self.n_filters, dilation_base=self.dilation_base
        )
        _check_kernels("kernel_size", self.kernel_size, "3")
        if len(self.kernel_size) not in (1, self.n_layers):
            raise ParameterError(
                f"kernel_size={','.join(map(str, self.kernel_size))} has "
                f"{len(self.kernel_size)} widths for n_layers={self.n_layers}; give one "
                "width, or one per layer."
            )

    def kernel(self, layer: int) -> int:
        """Filter width of layer ``layer`` (0-based)."""
        return self.kernel_size[0] if len(self.kernel_size) == 1 else self.kernel_size[layer]
