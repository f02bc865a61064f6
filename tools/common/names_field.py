"""The web apps' "Segment by name" field from the app tools' options (tools/tool_args.py ``add_app_args``)."""
import argparse
from typing import Optional

from radio_dense.apps.sam_web.names import NamesField

from .default_checkpoint import is_random_radio


def names_field_from_args(args: argparse.Namespace, app_radio: Optional[str], trunk=None) -> NamesField:
    """The field on ``--names-radio`` or the app's own RADIO ``app_radio``; off, with the reason the page shows,
    when there is none, it has no language adaptor, its text tower cannot be loaded (offline, not cached) or it
    is the random radio_tiny fixture without ``--class-embeddings``.

    The text tower is loaded here, at start-up, so that the page knows whether the field works. ``trunk``: the
    app's own RADIO, built from ``app_radio``, which the field then shares (only the language adaptor is loaded).
    """
    from radio_dense.analysis.segment_by_name import NameSegmenter, NoLanguageAdaptor, slide_for
    from radio_dense.radio.text_towers import TextTowerUnavailable
    if args.no_names:
        return NamesField(reason='Segment by name is off (--no-names).')
    source = args.names_radio or app_radio
    if source is None:
        return NamesField(reason='Segment by name needs a RADIO with a language adaptor: start the app with '
                                 '--names-radio (e.g. the RADIO of the config).')
    if is_random_radio(source) and not args.class_embeddings:
        return NamesField(reason='Segment by name is off: the radio_tiny test fixture has RANDOM weights, which no '
                                 'text tower matches. Start the app with --radio (a checkpoint with a language '
                                 "adaptor) or try the field with --class-embeddings ({'names': [...], "
                                 "'embeddings': (N, D)}).")
    trunk = None if args.names_radio else trunk
    slide = slide_for(trunk.min_resolution_step) if trunk is not None else (336, 224)  # ViTDet: whole windows
    try:
        segmenter = NameSegmenter(source, args.names_adaptor, class_embeddings=args.class_embeddings, slide=slide,
                                  random_weights=is_random_radio(source), device=args.device, trunk=trunk)
        segmenter.prepare()
    except (NoLanguageAdaptor, TextTowerUnavailable, ValueError) as err:  # ValueError: a file that does not fit
        return NamesField(reason=f'Segment by name is off: {err}')
    return NamesField(segmenter)
