"""radio_dense command-line tools (tools/analysis); installed as the radio_dense.tools.analysis package"""
