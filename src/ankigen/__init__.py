"""ankigen: turn the scripts of an educational video series into an Anki deck."""

__version__ = "0.1.0"
