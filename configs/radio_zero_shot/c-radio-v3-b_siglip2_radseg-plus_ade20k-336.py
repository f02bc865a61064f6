# RADSeg+ (arXiv 2511.19704; RADSeg-OVSS/RADSeg `--sam_refine`): RADSeg, then its label map refined by SAM ViT-H's
# prompt encoder and mask decoder reading the RADIO `sam` adaptor's embedding at long side 1024, prompted per
# connected class region (peak point + box + probability mask; masks kept at predicted IoU > 0.9).
# Needs the official SAM ViT-H checkpoint (its decoder, and its neck when the adaptor gives SAM's trunk features):
#   https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth -> checkpoints/
_base_ = ['./c-radio-v3-b_siglip2_radseg_ade20k-336.py']
model = dict(sam_refinement=dict(decoder='checkpoints/sam_vit_h_4b8939.pth'))
