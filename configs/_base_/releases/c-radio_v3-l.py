# C-RADIOv3-L: the settings every C-RADIOv3-L config shares (what each variable means: README.md here).
radio_zoo_name = 'c-radio_v3-l'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='c-radio_v3-l')
radio_width, radio_depth = 1024, 24
radio_drop_path_rate, radio_layer_decay = 0.2, 0.85
radio_vitdet = dict(vitdet_window_size=None, num_global=None)  # no ViTDet mode: upstream refuses it
radio_det_drop_path_rate, radio_det_layer_decay = 0.4, 0.8
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=True)
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 5], [6, 11], [12, 17], [18, 23]], deform_num_heads=16,
                     drop_path_rate=0.4)
