"""Maintainer tools (tools/dev); installed as the radio_dense.tools.dev package"""
