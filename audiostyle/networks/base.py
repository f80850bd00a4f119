"""The feature-network contract and its building blocks, re-exported: they live in
:mod:`audiostyle.contracts.network`."""

from audiostyle.contracts.network import (
    FeatureNetwork,
    activation,
    conv_padding,
    init_conv,
    require_size,
)

__all__ = ["FeatureNetwork", "activation", "conv_padding", "init_conv", "require_size"]
