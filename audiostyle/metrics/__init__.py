"""Quality metrics for bench and reports.

- :mod:`~audiostyle.metrics.base`: the :class:`~audiostyle.metrics.base.Metric` contract;
- :mod:`~audiostyle.metrics.options`: the built-ins' options (light, for listing);
- :mod:`~audiostyle.metrics.spectral`: ``lsd``, ``spectral-convergence``,
  ``mfcc-timbre`` (numpy and scipy only);
- :mod:`~audiostyle.metrics.perceptual`: ``speaker-similarity``, ``wer``, ``dnsmos``
  (pretrained models of the ``eval`` extra, offline, CPU).
"""
