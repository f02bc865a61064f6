"""The synthetic shapes data set as mmseg and mmdet dataset types."""
