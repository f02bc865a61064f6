"""radio_dense command-line tools (tools/convert); installed as the radio_dense.tools.convert package"""
