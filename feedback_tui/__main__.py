"""Allow ``python -m feedback_tui``."""

from feedback_tui.cli import main

if __name__ == "__main__":
    main()
