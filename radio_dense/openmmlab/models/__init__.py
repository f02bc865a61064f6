"""Model parts registered for mmseg / mmdet: RADIO backbones (plain and ViT-Adapter), necks, heads, segmentors."""
