"""Textual screens and widgets of the blue-tui dashboard, one module per pane."""
