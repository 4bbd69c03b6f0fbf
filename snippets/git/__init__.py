"""Git lecture helpers: read a real repository's commits and refs, and draw them."""
