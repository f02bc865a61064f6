# C-RADIOv4-SO400M: the backbone settings every C-RADIOv4-SO400M config shares, as variables (bases may not share keys
# with the task config a leaf also inherits). `radio_backbone` merges into a RADIOBackbone/RADIOAdapter
# dict: the zoo name for the weights and the release's trunk, so the config builds the real architecture
# without weights (checkpoint=None, e.g. on the meta device). Weights: radio_dense.radio.zoo.RADIO_ZOO['c-radio_v4-so400m'].
radio_zoo_name = 'c-radio_v4-so400m'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='vit_so400m_patch16_224')
radio_width = 1152  # embed dim: neck / head in_channels
radio_depth = 27  # blocks: layer-wise lr decay, adapter interaction indexes
radio_drop_path_rate = 0.3  # when fine-tuned
radio_layer_decay = 0.9  # layer-wise lr decay rate when fine-tuned
