# C-RADIOv3-H: the settings every C-RADIOv3-H config shares (what each variable means: README.md here).
radio_zoo_name = 'c-radio_v3-h'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='c-radio_v3-h')
radio_width, radio_depth = 1280, 32
radio_drop_path_rate, radio_layer_decay = 0.3, 0.9
radio_vitdet = dict(vitdet_window_size=None, num_global=None)  # no ViTDet mode: upstream refuses it
radio_det_drop_path_rate, radio_det_layer_decay = 0.5, 0.9
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=True)
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 7], [8, 15], [16, 23], [24, 31]], deform_num_heads=16,
                     drop_path_rate=0.5)
