"""feedback-tui: triage, answer and measure customer feedback from the terminal."""

__version__ = "0.1.0"
