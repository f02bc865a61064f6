"""Build SAM3's image model from the ``sam3`` package's own modules, on any device.

``sam3.build_sam3_image_model`` (0.1.4) assumes CUDA in places and a vocabulary file its wheel
lacks (see ``radio_dense/sam/README.md``). :func:`build_sam3_image` assembles the same modules
with the same wiring, but: position encodings are not precomputed (the precompute allocates on
``'cuda'``), the decoder's box-bias coordinates are made lazily on the features' device, the
BPE vocabulary is located (:mod:`.vocab`), sizes are parameters (:class:`~.sizes.Sam3Size`) and
the vision trunk can be replaced (RADIO: :class:`~.radio_trunk.RadioSam3Trunk`).
"""
from typing import Optional

import torch
from torch import nn

from .cpu_compat import make_cpu_safe
from .sizes import SAM3_IMAGE, Sam3Size
from .vocab import locate_bpe_vocab

SAM3_INSTALL_HINT = 'pip install sam3==0.1.4 (Meta\'s SAM3 package; see README "Installation")'


def require_sam3():
    """Import the ``sam3`` package or raise an ImportError that says how to install it."""
    try:
        import sam3  # noqa: F401
    except ImportError as err:
        raise ImportError(f'The SAM3 path needs the sam3 package: {SAM3_INSTALL_HINT}. ({err})') from err
    return sam3


def _attention(size: Sam3Size, dropout: float, batch_first: bool = False) -> nn.Module:
    from sam3.model.model_misc import MultiheadAttentionWrapper
    return MultiheadAttentionWrapper(embed_dim=size.d_model, num_heads=size.num_heads, dropout=dropout,
                                     batch_first=batch_first)


def _sine_encoding(size: Sam3Size) -> nn.Module:
    from sam3.model.position_encoding import PositionEmbeddingSine
    # precompute_resolution=None: sam3 precomputes on device='cuda' otherwise.
    return PositionEmbeddingSine(num_pos_feats=size.d_model, normalize=True, temperature=10000,
                                 precompute_resolution=None)


def build_sam3_vit(size: Sam3Size = SAM3_IMAGE, image_size: Optional[int] = None) -> nn.Module:
    """SAM3's own vision trunk (``sam3.model.vitdet.ViT``); ``image_size`` defaults to ``size.image_size``."""
    from sam3.model.vitdet import ViT
    vit = ViT(img_size=image_size or size.image_size, pretrain_img_size=size.pretrain_image_size,
               patch_size=size.patch_size, embed_dim=size.vit_dim, depth=size.vit_depth, num_heads=size.vit_heads,
               mlp_ratio=size.vit_mlp_ratio, norm_layer='LayerNorm', drop_path_rate=0.1, qkv_bias=True,
               use_abs_pos=True, tile_abs_pos=True, global_att_blocks=tuple(size.vit_global_blocks),
               rel_pos_blocks=(), use_rope=True, use_interp_rope=True, window_size=size.vit_window,
               pretrain_use_cls_token=True, retain_cls_token=False, ln_pre=True, ln_post=False,
               return_interm_layers=False, bias_patch_embed=False)
    vit.default_resolution = image_size or size.image_size  # its rotary embeddings fit this side only
    return vit


def build_sam3_vision_backbone(trunk: nn.Module, size: Sam3Size = SAM3_IMAGE) -> nn.Module:
    """SAM3's dual ViTDet neck (SAM3 branch only) around ``trunk`` (anything with ``channel_list``)."""
    from sam3.model.necks import Sam3DualViTDetNeck
    if not getattr(trunk, 'channel_list', None):
        raise ValueError(f'{type(trunk).__name__} has no channel_list: SAM3\'s neck reads its width from it')
    return Sam3DualViTDetNeck(trunk=trunk, position_encoding=_sine_encoding(size), d_model=size.d_model,
                              scale_factors=[4.0, 2.0, 1.0, 0.5], add_sam2_neck=False)


def _text_encoder(size: Sam3Size, bpe_path: str) -> nn.Module:
    from sam3.model.text_encoder_ve import VETextEncoder
    from sam3.model.tokenizer_ve import SimpleTokenizer
    text = VETextEncoder(d_model=size.d_model, tokenizer=SimpleTokenizer(bpe_path=bpe_path), width=size.text_width,
                         heads=size.text_heads, layers=size.text_layers, context_length=size.text_context)
    # sam3 leaves these two as torch.empty (garbage, often NaN) until a checkpoint is loaded;
    # random models need a defined, seeded initialisation (CLIP's).
    transformer = text.encoder
    nn.init.normal_(transformer.positional_embedding, std=0.01)
    if isinstance(transformer.text_projection, nn.Parameter):
        nn.init.normal_(transformer.text_projection, std=transformer.width ** -0.5)
    return text


def _fusion_encoder(size: Sam3Size) -> nn.Module:
    from sam3.model.encoder import TransformerEncoderFusion, TransformerEncoderLayer
    layer = TransformerEncoderLayer(
        activation='relu', d_model=size.d_model, dim_feedforward=size.ffn_dim, dropout=0.1, pos_enc_at_attn=True,
        pos_enc_at_cross_attn_keys=False, pos_enc_at_cross_attn_queries=False, pre_norm=True,
        self_attention=_attention(size, 0.1, batch_first=True), cross_attention=_attention(size, 0.1, batch_first=True))
    return TransformerEncoderFusion(layer=layer, num_layers=size.encoder_layers, d_model=size.d_model,
                                    num_feature_levels=1, frozen=False, use_act_checkpoint=True,
                                    add_pooled_text_to_img_feat=False, pool_text_with_mask=True)


def _query_decoder(size: Sam3Size) -> nn.Module:
    from sam3.model.decoder import TransformerDecoder, TransformerDecoderLayer
    layer = TransformerDecoderLayer(activation='relu', d_model=size.d_model, dim_feedforward=size.ffn_dim,
                                    dropout=0.1, cross_attention=_attention(size, 0.1), n_heads=size.num_heads,
                                    use_text_cross_attention=True)
    # resolution/stride None: sam3 would precompute the box-bias coordinates on device='cuda';
    # without them they are computed for the actual feature grid on its device (any resolution).
    return TransformerDecoder(layer=layer, num_layers=size.decoder_layers, num_queries=size.num_queries,
                              return_intermediate=True, box_refine=True, num_o2m_queries=0, dac=True, boxRPB='log',
                              d_model=size.d_model, frozen=False, interaction_layer=None, dac_use_selfatt_ln=True,
                              resolution=None, stride=None, use_act_checkpoint=True, presence_token=True)


def _scoring(size: Sam3Size) -> nn.Module:
    from sam3.model.model_misc import MLP, DotProductScoring
    prompt_mlp = MLP(input_dim=size.d_model, hidden_dim=size.ffn_dim, output_dim=size.d_model, num_layers=2,
                     dropout=0.1, residual=True, out_norm=nn.LayerNorm(size.d_model))
    return DotProductScoring(d_model=size.d_model, d_proj=size.d_model, prompt_mlp=prompt_mlp)


def _segmentation_head(size: Sam3Size) -> nn.Module:
    from sam3.model.maskformer_segmentation import PixelDecoder, UniversalSegmentationHead
    pixel_decoder = PixelDecoder(num_upsampling_stages=3, interpolation_mode='nearest', hidden_dim=size.d_model)
    return UniversalSegmentationHead(hidden_dim=size.d_model, upsampling_stages=3, aux_masks=False,
                                     presence_head=False, dot_product_scorer=None, act_ckpt=True,
                                     cross_attend_prompt=_attention(size, 0.0), pixel_decoder=pixel_decoder)


def _geometry_encoder(size: Sam3Size) -> nn.Module:
    from sam3.model.encoder import TransformerEncoderLayer
    from sam3.model.geometry_encoders import SequenceGeometryEncoder
    layer = TransformerEncoderLayer(
        activation='relu', d_model=size.d_model, dim_feedforward=size.ffn_dim, dropout=0.1, pos_enc_at_attn=False,
        pre_norm=True, self_attention=_attention(size, 0.1), pos_enc_at_cross_attn_queries=False,
        pos_enc_at_cross_attn_keys=True, cross_attention=_attention(size, 0.1))
    # make_cpu_safe: its box encoding calls pin_memory(), which fails without CUDA.
    return make_cpu_safe(SequenceGeometryEncoder(
        pos_enc=_sine_encoding(size), encode_boxes_as_points=False, points_direct_project=True, points_pool=True,
        points_pos_enc=True, boxes_direct_project=True, boxes_pool=True, boxes_pos_enc=True, d_model=size.d_model,
        num_layers=size.geometry_layers, layer=layer, use_act_ckpt=True, add_cls=True, add_post_encode_proj=True))


def build_sam3_image(size: Sam3Size = SAM3_IMAGE, trunk: Optional[nn.Module] = None, bpe_path: Optional[str] = None,
                     checkpoint: Optional[str] = None, device='cpu', seed: Optional[int] = None) -> nn.Module:
    """SAM3's image model (``sam3.model.sam3_image.Sam3Image``), in eval mode on ``device``.

    Args:
        size: widths and depths (``SAM3_IMAGE``: the released model; ``SAM3_TINY`` for tests).
        trunk: the vision trunk; ``None`` builds SAM3's own ViT. Any module that maps SAM3's
            normalised image ``(B, 3, H, W)`` (values in ``[-1, 1]``) to ``[(B, C, h, w)]`` and has
            ``channel_list = [C]`` works (RADIO: :class:`~radio_dense.sam3.RadioSam3Trunk`).
        bpe_path: the CLIP BPE vocabulary (default: located, see :func:`~.vocab.locate_bpe_vocab`).
        checkpoint: Meta's ``sam3.pt`` (see :func:`~.checkpoint.load_sam3_weights`); with a replaced
            trunk the checkpoint's trunk weights are left out. ``None``: random weights.
        device: where the model lives (``'cpu'``, ``'cuda'``, ...).
        seed: seed for the random initialisation.
    """
    require_sam3()
    from sam3.model.model_misc import TransformerWrapper
    from sam3.model.sam3_image import Sam3Image
    from sam3.model.vl_combiner import SAM3VLBackbone
    if seed is not None:
        torch.manual_seed(seed)
    own_trunk = trunk is None
    if own_trunk:
        trunk = build_sam3_vit(size)
    backbone = SAM3VLBackbone(visual=build_sam3_vision_backbone(trunk, size),
                              text=_text_encoder(size, locate_bpe_vocab(bpe_path)), scalp=1)
    transformer = TransformerWrapper(encoder=_fusion_encoder(size), decoder=_query_decoder(size), d_model=size.d_model)
    model = Sam3Image(backbone=backbone, transformer=transformer, input_geometry_encoder=_geometry_encoder(size),
                      segmentation_head=_segmentation_head(size), num_feature_levels=1, o2m_mask_predict=True,
                      dot_prod_scoring=_scoring(size), use_instance_query=False, multimask_output=True,
                      inst_interactive_predictor=None, matcher=None)
    if checkpoint is not None:
        from .checkpoint import load_sam3_weights
        load_sam3_weights(model, checkpoint, include_trunk=own_trunk)
    return model.to(device).eval()
