"""The one exception a bad configuration raises; the CLI prints it as a single line, exit 2."""


class ConfigError(ValueError):
    """A configuration problem found before any expensive work started."""
