"""Built-in optimizers."""

from audiostyle.hookspecs import hookimpl
from audiostyle.optimizers.options import AdamOptions, LBFGSOptions


@hookimpl
def register_optimizers(register):
    register(
        "lbfgs",
        "audiostyle.optimizers.lbfgs:LBFGS",
        options=LBFGSOptions,
        description="L-BFGS with strong-Wolfe line search; one step = one iteration",
    )
    register(
        "adam",
        "audiostyle.optimizers.adam:Adam",
        options=AdamOptions,
        description="Adam; one step = one gradient evaluation",
    )
