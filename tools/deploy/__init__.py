"""radio_dense command-line tools (tools/deploy); installed as the radio_dense.tools.deploy package"""
