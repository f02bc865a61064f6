"""radio_dense: NVIDIA RADIO as a dense-prediction backbone for OpenMMLab and SAM."""
from setuptools import find_packages, setup

#: console command -> module of radio_dense.tools (each has a ``main(argv=None)``)
CONSOLE_SCRIPTS = [
    ('radio-train', 'train'), ('radio-test', 'test'), ('radio-demo-data', 'make_demo_data'),
    ('radio-sam-predict', 'sam_predict'), ('radio-sam-amg', 'sam_amg'), ('radio-sam-app', 'sam_app'),
    ('radio-sam-eval', 'sam_eval'), ('radio-sam-train', 'sam_train'),
    ('radio-analyze-logs', 'analysis.analyze_logs'), ('radio-confusion-matrix', 'analysis.confusion_matrix'),
    ('radio-benchmark', 'analysis.benchmark'), ('radio-browse-dataset', 'misc.browse_dataset'),
    ('radio-publish-model', 'misc.publish_model'), ('radio-zero-shot', 'zero_shot'),
    ('radio-segment-by-name', 'segment_by_name'),
]

setup(
    name='radio_dense',
    version='0.1.0',
    description='NVIDIA RADIOv2.5 as a backbone for mmsegmentation, mmdetection and SAM prompting',
    long_description=open('README.md').read() if __import__('os').path.exists('README.md') else '',
    long_description_content_type='text/markdown',
    # tools/ and apps/ ship inside the package as radio_dense.tools and radio_dense.apps (the
    # symbolic links radio_dense/tools -> ../tools and radio_dense/apps -> ../apps, which setuptools
    # follows), so every install, editable or not and whatever the setuptools version, has the
    # command-line tools: the console scripts below, or `python -m radio_dense.tools.train ...`
    packages=find_packages(include=['radio_dense', 'radio_dense.*']),
    package_data={'radio_dense.tools': ['*.sh']},
    entry_points={'console_scripts': [f'{name} = radio_dense.tools.{module}:main' for name, module in CONSOLE_SCRIPTS]},
    python_requires='>=3.9',
    # The RADIO model itself needs only these, on any torch from 2.1 (timm needs torchvision); the
    # OpenMMLab/SAM parts need the extras below. Only the mm extra caps torch: mmcv 2.1 compiles its ops
    # with C++17, which torch >= 2.10 headers refuse (see README / tools/setup_env.sh).
    install_requires=['torch>=2.1', 'torchvision', 'timm>=1.0.16,<1.1', 'safetensors>=0.4',
                      'numpy', 'pillow', 'tqdm'],
    extras_require={
        'mm': ['torch>=2.1,<2.10', 'mmengine==0.10.7', 'mmcv>=2.0,<2.2', 'mmsegmentation==1.2.2', 'mmdet==3.3.0', 'ftfy', 'regex',
               'pycocotools'],
        'sam': ['segment-anything==1.0', 'sam3==0.1.4', 'numpy<2.4'],
        'hub': ['huggingface_hub>=0.24'],
        'tools': ['matplotlib', 'opencv-python<5'],
        'deploy': ['onnx>=1.16', 'onnxruntime>=1.17', 'onnxscript>=0.2'],
        # text towers of the language adaptors (radio_dense.radio.text_towers): zero-shot tools
        'text': ['open_clip_torch>=3.0,<4', 'transformers>=5.0,<6'],
        # tools/dev/make_upstream_fixture.py runs upstream NVlabs/RADIO's own code, which needs einops
        'dev': ['einops'],
    },
)
