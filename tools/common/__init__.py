"""What several tools share: argument parsing, Runner setup, SAM model arguments, ablation grids."""
