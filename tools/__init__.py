"""radio_dense command-line tools (tools); installed as the radio_dense.tools package"""
