"""Built-in spectral transforms."""

from audiostyle.contracts.stft import STFTOptions
from audiostyle.hookspecs import hookimpl


@hookimpl
def register_transforms(register):
    register(
        "torch",
        "audiostyle.transforms.torch_stft:TorchSTFT",
        options=STFTOptions,
        description="pure-PyTorch STFT / iSTFT (torch.stft), differentiable, fastest",
        differentiable=True,
    )
    register(
        "torchaudio",
        "audiostyle.transforms.torchaudio_stft:TorchaudioSTFT",
        options=STFTOptions,
        differentiable=True,
        description="torchaudio Spectrogram / InverseSpectrogram, differentiable "
        "(needs the torchaudio extra)",
    )
    register(
        "librosa",
        "audiostyle.transforms.librosa_stft:LibrosaSTFT",
        options=STFTOptions,
        description="librosa STFT / iSTFT in numpy (not differentiable)",
        differentiable=False,
    )
