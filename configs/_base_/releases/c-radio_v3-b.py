# C-RADIOv3-B: the settings every C-RADIOv3-B config shares (what each variable means: README.md here).
radio_zoo_name = 'c-radio_v3-b'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='c-radio_v3-b')
radio_width, radio_depth = 768, 12
radio_drop_path_rate, radio_layer_decay = 0.1, 0.75
radio_vitdet = dict(vitdet_window_size=None, num_global=None)  # no ViTDet mode: upstream refuses it
radio_det_drop_path_rate, radio_det_layer_decay = 0.1, 0.7
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=False)
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 2], [3, 5], [6, 8], [9, 11]], deform_num_heads=12,
                     drop_path_rate=0.3)
