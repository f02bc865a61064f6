"""Training a RadioSam's neck / decoder: SAM's loss and simulated interactive prompting."""
from .losses import SamMaskLoss, dice_loss, sigmoid_focal_loss
from .prompt_simulator import PromptSimulator

__all__ = ['SamMaskLoss', 'dice_loss', 'sigmoid_focal_loss', 'PromptSimulator']
