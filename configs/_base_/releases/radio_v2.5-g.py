# RADIOv2.5-g: the backbone settings every RADIOv2.5-g config shares, as variables (bases may not share keys
# with the task config a leaf also inherits). `radio_backbone` merges into a RADIOBackbone/RADIOAdapter
# dict: the zoo name for the weights and the release's trunk, so the config builds the real architecture
# without weights (checkpoint=None, e.g. on the meta device). Weights: radio_dense.radio.zoo.RADIO_ZOO['radio_v2.5-g'].
radio_zoo_name = 'radio_v2.5-g'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='vit_giant_patch14_224')
radio_width = 1408  # embed dim: neck / head in_channels
radio_depth = 40  # blocks: layer-wise lr decay, adapter interaction indexes
radio_drop_path_rate = 0.4  # when fine-tuned
radio_layer_decay = 0.9  # layer-wise lr decay rate when fine-tuned
