# C-RADIOv4-SO400M: the settings every C-RADIOv4-SO400M config shares (what each variable means: README.md here).
radio_zoo_name = 'c-radio_v4-so400m'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='c-radio_v4-so400m')
radio_width, radio_depth = 1152, 27
radio_drop_path_rate, radio_layer_decay = 0.3, 0.9
radio_vitdet = dict(vitdet_window_size=16, num_global=4)
radio_det_drop_path_rate, radio_det_layer_decay = 0.5, 0.9
radio_det_backbone = dict(radio_backbone, **radio_vitdet, drop_path_rate=radio_det_drop_path_rate, with_cp=True)
radio_adapter = dict(radio_backbone, interaction_indexes=[[0, 5], [6, 12], [13, 19], [20, 26]], deform_num_heads=16,
                     drop_path_rate=0.5)
