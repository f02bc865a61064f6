"""radio_dense command-line tools (tools/misc); installed as the radio_dense.tools.misc package"""
