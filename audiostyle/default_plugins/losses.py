"""Built-in loss terms."""

from audiostyle.hookspecs import hookimpl
from audiostyle.losses.autocorr_options import AutocorrelationLossOptions
from audiostyle.losses.options import ContentLossOptions, StyleLossOptions


@hookimpl
def register_losses(register):
    register(
        "content",
        "audiostyle.losses.gram:ContentLoss",
        options=ContentLossOptions,
        description="squared distance of feature maps to the content's",
    )
    register(
        "style",
        "audiostyle.losses.gram:StyleLoss",
        options=StyleLossOptions,
        description="squared distance of Gram matrices to the style's",
    )
    register(
        "autocorrelation",
        "audiostyle.losses.autocorr:AutocorrelationLoss",
        options=AutocorrelationLossOptions,
        description="distance of autocorrelations over time to the style's: keeps rhythm "
        "in textures (Antognini et al. 2019)",
    )
