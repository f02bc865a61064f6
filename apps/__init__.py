"""Applications built on radio_dense (outside the library, as segment-anything keeps its demo)."""
