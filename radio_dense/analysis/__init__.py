"""Analysis helpers behind ``tools/analysis`` and ``tools/demo.py``.

* :mod:`.pca`         PCA of dense features -> RGB, with a reusable basis (:class:`PCABasis`)
* :mod:`.features`    models, images and dense-feature extraction shared by the tools
* :mod:`.visualize`   feature pictures over images x resolutions; :mod:`.grid` lays them out
* :mod:`.resolution`  mode-switching study (features vs resolution); :mod:`.teacher` timm teachers
* :mod:`.flops`       FLOP counts with ``torch.utils.flop_counter``; whole OpenMMLab models: :mod:`radio_dense.openmmlab.model_flops`
* :mod:`.benchmark`   latency / peak memory, ours vs upstream NVlabs/RADIO; :mod:`.memory_probe` its worker
* :mod:`.panels`      captioned ``input | ground truth | prediction`` pictures with a class legend
* :mod:`.training_log` mmengine json logs -> curves (``tools/analysis/analyze_logs.py``)
* :mod:`.confusion`   confusion matrices of label maps (``tools/analysis/confusion_matrix.py``)
"""
from .pca import PCABasis, features_to_rgb, sample_tokens

__all__ = ['PCABasis', 'features_to_rgb', 'sample_tokens']
